import { isAllowedExternalUrl } from './trustedUrl'

/** The one way a link leaves the app: allow-listed https pages only, everything else refused and logged. */
export function createOpenExternal(shell: { openExternal(url: string): Promise<void> }, log: (line: string) => void = console.warn) {
  return async (url: string): Promise<boolean> => {
    if (!isAllowedExternalUrl(url)) {
      log(`dv2g: refused to open ${JSON.stringify(url)} outside the app: not on the allow-list`)
      return false
    }
    await shell.openExternal(url)
    return true
  }
}
