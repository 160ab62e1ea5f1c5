import { it, type TestFunction } from 'vitest'

/**
 * `it`, unless `reason` says why the test cannot run on this machine: then it is skipped and the
 * reason is printed, since the default reporter counts skipped tests but names none.
 */
export function itUnless(reason: string | false) {
  return (name: string, fn: TestFunction, timeoutMs?: number): void => {
    if (reason) console.warn(`skipped: "${name}": ${reason}`)
    it.skipIf(reason !== false)(name, fn, timeoutMs)
  }
}
