import { describe, expect, it, vi } from 'vitest'
import type { BrowserWindowConstructorOptions } from 'electron'
import { createMainWindow, lockNavigation } from '../../../../src-main/electron/window'

describe('main window', () => {
  it('turns every renderer protection on', () => {
    class FakeBrowserWindow {
      constructor(readonly options: BrowserWindowConstructorOptions) {}
    }
    const prefs = createMainWindow(FakeBrowserWindow, '/app/out/preload/index.cjs').options.webPreferences!
    expect(prefs).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      disableBlinkFeatures: 'Auxclick'
    })
  })

  function fakeWindow() {
    const handlers = new Map<string, (...args: unknown[]) => void>()
    let windowOpen: ((details: { url: string }) => { action: string }) | undefined
    const webContents = {
      on: (name: string, handler: (...args: unknown[]) => void) => handlers.set(name, handler),
      setWindowOpenHandler: (handler: typeof windowOpen) => (windowOpen = handler)
    }
    return { window: { webContents, once: vi.fn(), show: vi.fn() }, handlers, windowOpen: () => windowOpen! }
  }

  it('keeps navigation on the console, denies new windows and webviews', () => {
    const { window, handlers, windowOpen } = fakeWindow()
    const openExternal = vi.fn()
    lockNavigation(window as never, (url) => url.startsWith('file:///app/'), openExternal)
    const event = () => ({ preventDefault: vi.fn() })

    const away = event()
    handlers.get('will-navigate')!(away, 'https://evil.example/')
    expect(away.preventDefault).toHaveBeenCalled()
    const inside = event()
    handlers.get('will-navigate')!(inside, 'file:///app/index.html#/esu')
    expect(inside.preventDefault).not.toHaveBeenCalled()
    const redirect = event()
    handlers.get('will-redirect')!(redirect, 'https://evil.example/')
    expect(redirect.preventDefault).toHaveBeenCalled()
    const webview = event()
    handlers.get('will-attach-webview')!(webview)
    expect(webview.preventDefault).toHaveBeenCalled()

    expect(windowOpen()({ url: 'https://doi.org/x' })).toEqual({ action: 'deny' })
    expect(openExternal).toHaveBeenCalledWith('https://doi.org/x')
  })
})
