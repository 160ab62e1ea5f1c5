// A data dir is its user's alone: its files, and the channel through which other commands reach its owner.
import { createHash } from 'node:crypto'
import { chmodSync, lstatSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { runDv2g, startServe, type ServeProcess } from '../support/cli'
import { useTempDirs } from '../support/tempDir'

const tempDir = useTempDirs()
const serving: ServeProcess[] = []
const planted: string[] = []
afterEach(async () => {
  await Promise.all(serving.splice(0).map((s) => s.stop()))
  for (const path of planted.splice(0)) rmSync(path, { recursive: true, force: true })
})

describe('a private data dir', { timeout: 240_000 }, () => {
  it('starts dv2g serve on a long data dir path although the shared socket name it once used is taken, and forwards writes through a private channel', async () => {
    const dataDir = join(tempDir(), 'operator-workstation-data-dir-with-a-long-name'.repeat(3))
    mkdirSync(dataDir, { recursive: true })
    // what another account could make in the shared temp dir, knowing only the data dir's path:
    // a folder under the name, which the owner can neither listen on nor remove
    const squatted = join(tmpdir(), `dv2g-${createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}.sock`)
    mkdirSync(squatted)
    planted.push(squatted)

    const server = await startServe(dataDir)
    serving.push(server)
    const lock = JSON.parse(readFileSync(join(dataDir, 'dv2g.lock'), 'utf8')) as { channel: string }
    expect(lock.channel).not.toBe(squatted)
    const folder = lstatSync(dirname(lock.channel))
    expect(folder.isDirectory() && !folder.isSymbolicLink()).toBe(true)
    expect(folder.mode & 0o777).toBe(0o700)
    expect(statSync(lock.channel).mode & 0o777).toBe(0o600)

    const log = join(tempDir(), 'log.csv')
    writeFileSync(log, 'meter,time,import,export\nM1,2024-05-01 10:00Z,1.0,0\nM1,2024-05-01 10:15Z,1.5,0\n')
    const imported = runDv2g(['--data-dir', dataDir, 'import', log, '--json'])
    expect(imported.status, imported.stderr).toBe(0)
    expect(imported.stderr).toMatch(/holds this data dir; import runs through it/)
    expect(JSON.parse(imported.stdout).files[0]).toMatchObject({ imported: 2 })
  })

  it('tightens a data dir others could read when a command opens it, saying so in one line', () => {
    const dataDir = join(tempDir(), 'data')
    const first = runDv2g(['--data-dir', dataDir, 'tangle', 'stats', '--json'])
    expect(first.status, first.stderr).toBe(0)
    expect(statSync(dataDir).mode & 0o777).toBe(0o700)
    expect(statSync(join(dataDir, 'dv2g.sqlite')).mode & 0o777).toBe(0o600)

    chmodSync(dataDir, 0o755)
    chmodSync(join(dataDir, 'dv2g.sqlite'), 0o644)
    const second = runDv2g(['--data-dir', dataDir, 'tangle', 'stats', '--json'])
    expect(second.status, second.stderr).toBe(0)
    expect(second.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^dv2g: tightened ${dataDir} \\(was 0755\\) to 0700; 1 entry in it to its user only`))
    ])
    expect(statSync(dataDir).mode & 0o777).toBe(0o700)
    expect(statSync(join(dataDir, 'dv2g.sqlite')).mode & 0o777).toBe(0o600)
  })
})
