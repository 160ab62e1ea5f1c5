// The Electron face: one window on the same core as serve mode and the CLI.
/// <reference types="electron-vite/node" />
import { app, BrowserWindow, dialog, ipcMain, Menu, session, shell } from 'electron'
import { join } from 'node:path'
import { EVENT_CHANNEL } from '../../src-shared/bridge'
import { CONTENT_SECURITY_POLICY } from '../../src-shared/csp'
import { createDispatcher } from '../core/api'
import { defaultDataDir } from '../core/dataDir'
import { composeNode, type RunningNode } from '../core/node/composeNode'
import { DataDirHeldError } from '../core/owner/lock'
import { registerContractHandlers } from './ipc'
import { applicationMenu } from './menu'
import { createOpenExternal } from './openExternal'
import { isAllowedRequest, isAppUrl, rendererUrl } from './trustedUrl'
import { createMainWindow, lockNavigation } from './window'

// import.meta.env.DEV is fixed at build time: true only in what `electron-vite dev` builds
const developmentBuild = import.meta.env.DEV && !app.isPackaged
const appUrl = rendererUrl({
  devServerUrl: process.env.ELECTRON_RENDERER_URL,
  developmentBuild,
  packaged: app.isPackaged,
  builtIndexFile: join(import.meta.dirname, '../renderer/index.html')
})
const dataDirSwitch = process.argv.find((arg) => arg.startsWith('--data-dir='))?.slice('--data-dir='.length)

startConsole()

function startConsole(): void {
  // a second start only wakes the first (its 'second-instance' below): it must not open the
  // data dir the first one holds, nor a window of its own
  if (!app.requestSingleInstanceLock()) {
    app.quit()
    return
  }
  registerWebContentsGuards()
  void app.whenReady().then(async () => {
    // defaultDataDir, not app.getPath('userData'): Electron names that folder after package.json's
    // "name" (dv2g-operator), and the CLI and serve mode must find the same data dir
    const dataDir = dataDirSwitch ?? defaultDataDir()
    let running: RunningNode
    try {
      // the network node and the OCPP central system as Settings turn them on, started behind the window
      running = await composeNode(dataDir, {
        owner: 'desktop app',
        transport: 'electron',
        networkFromSettings: true,
        ocpp: 'settings',
        inBackground: true,
        log: (line) => console.error(line)
      })
    } catch (error) {
      // dv2g serve or a CLI command owns it: say who, rather than write behind its back
      if (!(error instanceof DataDirHeldError)) throw error
      dialog.showErrorBox('DV2G Operator', `${dataDir}: ${error.message}. Stop it and start the app again.`)
      app.quit()
      return
    }
    const core = running.app
    const openExternal = createOpenExternal(shell)

    // the session serves nothing but the console: strict CSP, no permissions, no remote requests
    const ses = session.defaultSession
    ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
    ses.setPermissionCheckHandler(() => false)
    ses.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !isAllowedRequest(details.url, appUrl) }))
    ses.webRequest.onHeadersReceived((details, callback) =>
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } })
    )

    const window = createMainWindow(BrowserWindow, join(import.meta.dirname, '../preload/index.cjs'))
    lockNavigation(window, (url) => isAppUrl(url, appUrl), openExternal)
    registerContractHandlers(ipcMain, createDispatcher(core), {
      isOurWebContents: (sender) => !window.isDestroyed() && sender === window.webContents,
      appUrl: () => appUrl
    })
    const unsubscribe = core.events.subscribe((name, payload) => {
      if (!window.isDestroyed()) window.webContents.send(EVENT_CHANNEL, { name, payload })
    })
    Menu.setApplicationMenu(applicationMenu({ isDev: developmentBuild, version: app.getVersion(), openExternal }))
    window.once('ready-to-show', () => window.show())
    void window.loadURL(appUrl)

    app.on('second-instance', () => {
      if (window.isMinimized()) window.restore()
      window.focus()
    })
    app.on('window-all-closed', () => app.quit())
    let closing = false
    app.on('will-quit', (event: Electron.Event) => {
      if (closing) return
      closing = true
      unsubscribe()
      // the network node and the central system stop before the database closes under them; then the quit goes on
      event.preventDefault()
      void running.shutDown().finally(() => app.quit())
    })
  })
}

// no other window, webview or navigation anywhere, whatever created it
function registerWebContentsGuards(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault())
    contents.setWindowOpenHandler(() => ({ action: 'deny' }))
  })
}
