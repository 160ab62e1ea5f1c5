// The central system's peak resident set over the measured window only: Linux keeps the high-water
// mark (VmHWM) itself, so no peak is missed between two looks, and lets it be started again from
// the current resident set (clear_refs "5") when the window opens.
import { readFileSync, writeFileSync } from 'node:fs'

/** VmHWM of a process in MB; NaN where /proc cannot tell. */
export function peakRssMB(pid: number): number {
  try {
    const kB = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
    return kB === undefined ? Number.NaN : Number(kB) / 1024
  } catch {
    return Number.NaN
  }
}

/** Starts the high-water mark again from now; false where the kernel does not allow it. */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5')
    return true
  } catch {
    return false
  }
}
