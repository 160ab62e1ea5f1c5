import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'

/**
 * The path of the Electron binary, or null where the electron package installed without it
 * (ELECTRON_SKIP_BINARY_DOWNLOAD=1, or an offline machine): require('electron') then throws, or
 * names a file that is not there.
 */
export function electronBinary(requireFrom = createRequire(import.meta.url)) {
  try {
    const path = requireFrom('electron')
    return typeof path === 'string' && existsSync(path) ? path : null
  } catch {
    return null
  }
}
