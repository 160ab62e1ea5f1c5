// The URL decisions of the Electron shell, as pure functions so they can be tested without it.

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
  if (app.protocol === 'file:') return parsed.protocol === 'file:'
  return parsed.origin === app.origin || (parsed.protocol === 'ws:' && parsed.host === app.host)
}
