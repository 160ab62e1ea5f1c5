// The Electron entry point run against a stand-in for the electron module: what a second start
// does, which page the window loads, and which requests the session lets through.
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { useTempDirs } from '../../../support/tempDir'
import { until } from '../../../support/until'

type Listener = (...args: unknown[]) => void

/** Just enough of electron for main.ts, recording what it is asked to do. */
function fakeElectron(options: { gotLock: boolean; isPackaged: boolean }) {
  const appListeners = new Map<string, Listener[]>()
  const windows: { loadURL: ReturnType<typeof vi.fn> }[] = []
  let beforeRequest: ((details: { url: string }, callback: (response: { cancel: boolean }) => void) => void) | undefined
  const app = {
    isPackaged: options.isPackaged,
    requestSingleInstanceLock: vi.fn(() => options.gotLock),
    quit: vi.fn(),
    whenReady: vi.fn(() => Promise.resolve()),
    getVersion: () => '0.0.0-test',
    on: (name: string, listener: Listener) => appListeners.set(name, [...(appListeners.get(name) ?? []), listener])
  }
  class BrowserWindow {
    readonly webContents = { on: vi.fn(), setWindowOpenHandler: vi.fn(), send: vi.fn() }
    readonly loadURL = vi.fn(async () => {})
    readonly once = vi.fn()
    readonly show = vi.fn()
    readonly isDestroyed = () => false
    constructor() {
      windows.push(this)
    }
  }
  const session = {
    defaultSession: {
      setPermissionRequestHandler: vi.fn(),
      setPermissionCheckHandler: vi.fn(),
      webRequest: {
        onBeforeRequest: (handler: typeof beforeRequest) => (beforeRequest = handler),
        onHeadersReceived: vi.fn()
      }
    }
  }
  const module = {
    app,
    BrowserWindow,
    session,
    ipcMain: { handle: vi.fn(), removeHandler: vi.fn() },
    Menu: { buildFromTemplate: (template: unknown) => template, setApplicationMenu: vi.fn() },
    shell: { openExternal: vi.fn() }
  }
  return {
    module,
    windows,
    /** whether the session lets the page request this URL */
    allows: (url: string) => {
      let cancelled: boolean | undefined
      beforeRequest!({ url }, ({ cancel }) => (cancelled = cancel))
      return cancelled === false
    },
    /** Quits as Electron does: the app may defer the quit (preventDefault) and quit again once it has shut down. */
    quitApp: async () => {
      const event = { preventDefault: vi.fn() }
      const quitAgain = new Promise<void>((resolve) => app.quit.mockImplementation(() => resolve()))
      appListeners.get('will-quit')?.forEach((listener) => listener(event))
      if (event.preventDefault.mock.calls.length) await quitAgain
    }
  }
}

const electron = vi.hoisted(() => ({ current: undefined as unknown as ReturnType<typeof fakeElectron>['module'] }))
// main.ts is imported afresh for every start, but the mocked module may be the first one made:
// it reads the current stand-in on every access
vi.mock('electron', () => ({
  get app() {
    return electron.current.app
  },
  get BrowserWindow() {
    return electron.current.BrowserWindow
  },
  get session() {
    return electron.current.session
  },
  get ipcMain() {
    return electron.current.ipcMain
  },
  get Menu() {
    return electron.current.Menu
  },
  get shell() {
    return electron.current.shell
  }
}))

const tempDir = useTempDirs()
const started: ReturnType<typeof fakeElectron>[] = []

// transforming the core for the first import takes seconds on a busy machine: do it once, under
// the hook's longer limit, not inside the first test's
beforeAll(async () => {
  await Promise.all([
    import('../../../../src-main/core/app'),
    import('../../../../src-main/core/api'),
    import('../../../../src-main/electron/ipc')
  ])
})

afterEach(async () => {
  for (const fake of started.splice(0)) await fake.quitApp()
  vi.unstubAllEnvs()
})

/** Runs main.ts afresh, as a new Electron process would, on a fresh data dir. */
async function startMain(options: { gotLock?: boolean; isPackaged: boolean; devServerUrl?: string }) {
  const fake = fakeElectron({ gotLock: options.gotLock ?? true, isPackaged: options.isPackaged })
  electron.current = fake.module
  const dataDir = join(tempDir(), 'data')
  vi.stubEnv('DV2G_DATA_DIR', dataDir)
  vi.stubEnv('ELECTRON_RENDERER_URL', options.devServerUrl)
  vi.resetModules()
  await import('../../../../src-main/electron/main')
  started.push(fake)
  return { ...fake, dataDir }
}

async function loadedUrl(fake: Awaited<ReturnType<typeof startMain>>): Promise<string> {
  await until(() => fake.windows[0]?.loadURL.mock.calls.length === 1, 10_000, 'the window to load a page')
  return fake.windows[0]!.loadURL.mock.calls[0]![0] as string
}

const builtIndex = /^file:\/\/.*\/renderer\/index\.html$/

describe('Electron main: a second start', () => {
  it('quits without waiting for ready, opening the data dir or a window', async () => {
    const second = await startMain({ gotLock: false, isPackaged: true })
    expect(second.module.app.quit).toHaveBeenCalledTimes(1)
    expect(second.module.app.whenReady).not.toHaveBeenCalled()
    expect(second.windows).toEqual([])
    expect(existsSync(second.dataDir)).toBe(false)
  })

  it('the first start goes on to open the data dir and its window', async () => {
    const first = await startMain({ isPackaged: true })
    expect(await loadedUrl(first)).toMatch(builtIndex)
    expect(readdirSync(first.dataDir).length).toBeGreaterThan(0)
  })
})

describe('Electron main: ELECTRON_RENDERER_URL', () => {
  it('is ignored by a packaged app', async () => {
    expect(await loadedUrl(await startMain({ isPackaged: true, devServerUrl: 'http://localhost:5173' }))).toMatch(builtIndex)
  })

  it('is ignored by a production build run from the folder', async () => {
    vi.stubEnv('DEV', false)
    expect(await loadedUrl(await startMain({ isPackaged: false, devServerUrl: 'http://localhost:5173' }))).toMatch(builtIndex)
  })

  it('is the page of a development build run from the folder', async () => {
    expect(await loadedUrl(await startMain({ isPackaged: false, devServerUrl: 'http://localhost:5173' }))).toBe('http://localhost:5173')
  })
})

describe('Electron main: file requests', () => {
  it('lets the console load files of its own renderer folder and nothing else on disk', async () => {
    const app = await startMain({ isPackaged: true })
    const index = await loadedUrl(app)
    const folder = index.slice(0, -'index.html'.length)
    expect(app.allows(`${folder}assets/index.js`)).toBe(true)
    expect(app.allows('file:///etc/passwd')).toBe(false)
    expect(app.allows(`${folder}..%2F..%2Fpackage.json`)).toBe(false)
    expect(app.allows(`${folder}%2e%2e/main/index.js`)).toBe(false)
    expect(app.allows('https://cdn.example/lib.js')).toBe(false)
  })
})
