// The URL decisions of the Electron shell, as pure functions so they can be tested without it.
import { dirname, isAbsolute, relative, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/**
 * Where the window loads the console from. electron-vite dev sets ELECTRON_RENDERER_URL to its
 * dev server; in any other build, or a packaged app, the variable is ignored, so nothing in the
 * environment can point the window at another page. Even in development it must be a loopback
 * http(s) address.
 */
export function rendererUrl(options: {
  devServerUrl: string | undefined
  developmentBuild: boolean
  packaged: boolean
  builtIndexFile: string
}): string {
  const { devServerUrl, developmentBuild, packaged, builtIndexFile } = options
  if (devServerUrl && developmentBuild && !packaged && isLoopbackHttp(devServerUrl)) return devServerUrl
  return pathToFileURL(builtIndexFile).href
}

function isLoopbackHttp(url: string): boolean {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return false
  }
  return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname)
}

/** The console's own pages: the built file (file://…/out/renderer/index.html) or, in development, the dev server. */
export function isAppUrl(url: string, appUrl: string): boolean {
  let candidate: URL
  let app: URL
  try {
    candidate = new URL(url)
    app = new URL(appUrl)
  } catch {
    return false
  }
  if (app.protocol === 'file:') return candidate.protocol === 'file:' && candidate.pathname === app.pathname
  return candidate.origin === app.origin
}

/** Hosts whose pages may open in the operator's browser (documentation and the paper). */
export const EXTERNAL_ALLOW_LIST: readonly string[] = ['github.com', 'ieeexplore.ieee.org', 'doi.org', 'arxiv.org']

export function isAllowedExternalUrl(url: string, allowList: readonly string[] = EXTERNAL_ALLOW_LIST): boolean {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return false
  }
  return parsed.protocol === 'https:' && parsed.username === '' && parsed.password === '' && allowList.includes(parsed.hostname)
}

/** Requests the renderer may make at all: its own files, or the dev server in development. */
export function isAllowedRequest(url: string, appUrl: string): boolean {
  let parsed: URL
  let app: URL
  try {
    parsed = new URL(url)
    app = new URL(appUrl)
  } catch {
    return false
  }
  if (parsed.protocol === 'devtools:' || parsed.protocol === 'data:' || parsed.protocol === 'blob:') return true
  if (app.protocol === 'file:') return parsed.protocol === 'file:' && isInsideFolderOf(parsed, app)
  return parsed.origin === app.origin || (parsed.protocol === 'ws:' && parsed.host === app.host)
}

/**
 * A file: URL the built console may load: a file in the folder of its index.html or below.
 * The path is decoded and resolved first, so `..` segments, percent-encoded or not, cannot
 * climb out; a URL Node cannot turn into a local path (a host, an encoded slash) is refused.
 */
function isInsideFolderOf(file: URL, app: URL): boolean {
  let filePath: string
  let appPath: string
  try {
    filePath = fileURLToPath(file)
    appPath = fileURLToPath(app)
  } catch {
    return false
  }
  const within = relative(dirname(appPath), filePath)
  return within !== '' && within !== '..' && !within.startsWith(`..${sep}`) && !isAbsolute(within)
}
