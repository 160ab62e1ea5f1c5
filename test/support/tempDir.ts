import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach } from 'vitest'

/**
 * A fresh temp dir per call, removed after the test that made it; with `perFile`, after the last
 * test of the file (for what tests that share a network keep between them).
 */
export function useTempDirs({ perFile = false } = {}): () => string {
  const made: string[] = []
  const removeAfter = perFile ? afterAll : afterEach
  removeAfter(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
  })
  return () => {
    const dir = mkdtempSync(join(tmpdir(), 'dv2g-test-'))
    made.push(dir)
    return dir
  }
}
