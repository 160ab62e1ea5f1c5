// `dv2g import` as a process against what a stick or a typo can put in its way: a device that
// never ends, a FIFO that never opens, a file with no line breaks, a link out of the stick. Each
// ends by itself, with one clear line or a listed reason; spawnSync's bound only catches a hang.
import { spawnSync } from 'node:child_process'
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runDv2g } from '../support/cli'
import { useTempDirs } from '../support/tempDir'

const tempDir = useTempDirs()

function mkfifo(path: string): string {
  const made = spawnSync('mkfifo', [path])
  if (made.status !== 0) throw new Error(`mkfifo ${path} failed: ${made.stderr}`)
  return path
}

describe('dv2g import refuses what is not a meter log', () => {
  it('ends `import /dev/zero` with one line naming it, exit 2, nothing read', () => {
    const result = runDv2g(['--data-dir', tempDir(), 'import', '/dev/zero'])
    expect(result.status, result.stderr).toBe(2) // null would be the 120 s bound: it read forever
    expect(result.stderr.trim()).toBe(
      'dv2g: /dev/zero is a character device, not a file or folder: only meter log files and the folders holding them are imported'
    )
  }, 150_000)

  it('ends `import FIFO` at once, without waiting for a writer', () => {
    const fifo = mkfifo(join(tempDir(), 'meters.csv'))
    const result = runDv2g(['--data-dir', tempDir(), 'import', fifo])
    expect(result.status, result.stderr).toBe(2)
    expect(result.stderr.trim()).toBe(
      `dv2g: ${fifo} is a FIFO (named pipe), not a file or folder: only meter log files and the folders holding them are imported`
    )
  }, 150_000)

  it('imports a stick with a FIFO, a link out of it and a 10 MB file without line breaks: the log is read, the rest rejected or skipped with why', () => {
    const outside = tempDir()
    writeFileSync(join(outside, 'secret.csv'), 'M9,2026-01-01 00:00Z,1,0\n')
    const stick = join(tempDir(), 'STICK')
    mkdirSync(stick)
    writeFileSync(join(stick, 'day.csv'), 'M1,2026-01-01 00:00Z,1,0\nM1,2026-01-01 00:15Z,1.5,0\n')
    writeFileSync(join(stick, 'huge.csv'), 'M1,'.padEnd(10_000_000, '9'))
    mkfifo(join(stick, 'pipe.csv'))
    symlinkSync(join(outside, 'secret.csv'), join(stick, 'secret.csv'))

    const result = runDv2g(['--data-dir', tempDir(), 'import', stick, '--json'])
    expect(result.status, result.stderr).toBe(0)
    const out = JSON.parse(result.stdout)
    expect(out.files).toEqual([
      expect.objectContaining({ path: join(stick, 'day.csv'), imported: 2, rejectedCount: 0 }),
      expect.objectContaining({
        path: join(stick, 'huge.csv'),
        imported: 0,
        rejected: [{ line: 1, reason: 'the line is longer than 64 KiB: not a line of a meter log' }],
        rejectedCount: 1
      })
    ])
    expect(out.skipped).toEqual([
      { path: join(stick, 'pipe.csv'), reason: 'it is a FIFO (named pipe), not a regular file' },
      {
        path: join(stick, 'secret.csv'),
        reason: `the link leads out of the chosen folder (to ${realpathSync(join(outside, 'secret.csv'))}), so it is not followed`
      }
    ])

    const human = runDv2g(['--data-dir', tempDir(), 'import', stick])
    expect(human.status, human.stderr).toBe(0)
    expect(human.stdout).toContain(`skipped ${join(stick, 'pipe.csv')}: it is a FIFO (named pipe), not a regular file`)
    expect(human.stdout).toContain(`${join(stick, 'huge.csv')} (csv): 0 imported, 0 already stored, 0 counter resets, 0 gaps, 1 rejected`)
  }, 150_000)

  it('says why nothing was imported when every file was skipped', () => {
    const stick = join(tempDir(), 'STICK')
    mkdirSync(stick)
    symlinkSync(join(stick, 'gone'), join(stick, 'logs'))
    const result = runDv2g(['--data-dir', tempDir(), 'import', stick])
    expect(result.status, result.stderr).toBe(2)
    expect(result.stderr.trim()).toBe(
      `dv2g: no meter logs (.csv, .txt, .log, .p1, .dsmr) in ${stick}; skipped ${join(stick, 'logs')}: the link leads nowhere: it no longer exists`
    )
  }, 150_000)
})
