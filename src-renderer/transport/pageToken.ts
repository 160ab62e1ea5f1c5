// Serve mode's token reaches the page once, in the URL that dv2g serve printed. The page keeps it
// in this tab only (sessionStorage is per origin and per tab, so a reload still works and no page
// on another port can read it), takes it out of the address bar, and sends it itself on the socket.
export const TOKEN_STORAGE_KEY = 'dv2g.token'

/** The parts of window this needs; tests pass their own. */
export interface TokenPage {
  location: Pick<Location, 'href'>
  history: Pick<History, 'replaceState' | 'state'>
  sessionStorage: Pick<Storage, 'getItem' | 'setItem'>
}

/** The token from `?token=` (then removed from the address bar) or, after a reload, from this tab's storage. */
export function takePageToken(page: TokenPage): string | undefined {
  const url = new URL(page.location.href)
  const fromUrl = url.searchParams.get('token')
  if (!fromUrl) {
    try {
      return page.sessionStorage.getItem(TOKEN_STORAGE_KEY) ?? undefined
    } catch {
      return undefined // storage disabled: the URL is the only source
    }
  }
  try {
    page.sessionStorage.setItem(TOKEN_STORAGE_KEY, fromUrl)
  } catch {
    // storage disabled: the socket still holds the token for this page's life
  }
  url.searchParams.delete('token')
  // keep the router's state and hash; only the query changes
  page.history.replaceState(page.history.state, '', `${url.pathname}${url.search}${url.hash}`)
  return fromUrl
}
