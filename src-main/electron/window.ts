import type { BrowserWindow, BrowserWindowConstructorOptions } from 'electron'

/**
 * The console window, every renderer protection of docs/architecture.md "Security" on. The options are
 * written out here, at the constructor, so electronegativity can see them; BrowserWindow is
 * passed in so tests can substitute it.
 */
export function createMainWindow<W>(BrowserWindow: new (options: BrowserWindowConstructorOptions) => W, preloadPath: string): W {
  return new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 1024,
    minHeight: 640,
    show: false,
    backgroundColor: '#0b0e13',
    title: 'DV2G Operator',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      // a middle click would otherwise ask for a new window
      disableBlinkFeatures: 'Auxclick'
    }
  })
}

type WindowLike = Pick<BrowserWindow, 'webContents' | 'once' | 'show'>

/**
 * Navigation stays on the console's own page; new windows are never opened here (an allowed
 * https link goes to the operator's browser through openExternal); webviews are refused.
 */
export function lockNavigation(window: WindowLike, isAppUrl: (url: string) => boolean, openExternal: (url: string) => unknown): void {
  const contents = window.webContents
  const keepInApp = (event: { preventDefault(): void }, url: string) => {
    if (!isAppUrl(url)) event.preventDefault()
  }
  contents.on('will-navigate', keepInApp)
  contents.on('will-redirect', keepInApp)
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.setWindowOpenHandler(({ url }) => {
    void openExternal(url)
    return { action: 'deny' }
  })
}
