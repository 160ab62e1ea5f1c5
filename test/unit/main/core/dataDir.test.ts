import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { open } from '../../../../src-main/core/app'
import { preparePrivateDataDir } from '../../../../src-main/core/dataDir'
import { useTempDirs } from '../../../support/tempDir'

const tempDir = useTempDirs()
const modeOf = (path: string) => statSync(path).mode & 0o777

describe('a data dir', () => {
  it('is created readable by its user only, and so are the database and its log after a write', () => {
    const dir = join(tempDir(), 'new', 'DV2G Operator')
    const app = open(dir)
    try {
      app.db.exec('CREATE TABLE IF NOT EXISTS probe (x); INSERT INTO probe VALUES (1)')
      expect(modeOf(dir)).toBe(0o700)
      for (const file of ['dv2g.sqlite', 'dv2g.sqlite-wal', 'dv2g.sqlite-shm'])
        expect([file, modeOf(join(dir, file))]).toEqual([file, 0o600])
    } finally {
      app.close()
    }
  })

  it('is tightened when opened if others could read it, saying so in one line, and then says nothing', () => {
    const dir = join(tempDir(), 'old')
    open(dir).close()
    // as an earlier release left it: the folder 0755, its files 0644
    chmodSync(dir, 0o755)
    writeFileSync(join(dir, 'keystore.json'), '{}\n', { mode: 0o644 })
    for (const file of ['dv2g.sqlite', 'keystore.json']) chmodSync(join(dir, file), 0o644)
    mkdirSync(join(dir, 'exports'), { mode: 0o755 })
    chmodSync(join(dir, 'exports'), 0o755)

    const lines: string[] = []
    preparePrivateDataDir(dir, (line) => lines.push(line))
    expect(lines).toEqual([`dv2g: tightened ${dir} (was 0755) to 0700; 3 entries in it to its user only (0600 files, 0700 folders)`])
    expect(modeOf(dir)).toBe(0o700)
    expect(modeOf(join(dir, 'dv2g.sqlite'))).toBe(0o600)
    expect(modeOf(join(dir, 'keystore.json'))).toBe(0o600)
    expect(modeOf(join(dir, 'exports'))).toBe(0o700)

    preparePrivateDataDir(dir, (line) => lines.push(line))
    expect(lines).toHaveLength(1)
  })

  it('says on stderr, once, that opening it tightened it', () => {
    const dir = tempDir()
    open(dir).close()
    chmodSync(dir, 0o755)
    chmodSync(join(dir, 'dv2g.sqlite'), 0o644)
    const stderr = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      open(dir).close()
      open(dir).close()
      expect(stderr.mock.calls).toEqual([
        [`dv2g: tightened ${dir} (was 0755) to 0700; 1 entry in it to its user only (0600 files, 0700 folders)`]
      ])
    } finally {
      stderr.mockRestore()
    }
  })

  it('has a database created by an earlier release tightened by opening it, log files included', () => {
    const dir = tempDir()
    const app = open(dir)
    app.db.exec('CREATE TABLE probe (x); INSERT INTO probe VALUES (1)')
    // the files another process left loose while this one holds them open
    for (const file of ['dv2g.sqlite', 'dv2g.sqlite-wal', 'dv2g.sqlite-shm']) chmodSync(join(dir, file), 0o644)
    const again = open(dir)
    try {
      for (const file of ['dv2g.sqlite', 'dv2g.sqlite-wal', 'dv2g.sqlite-shm'])
        expect([file, modeOf(join(dir, file))]).toEqual([file, 0o600])
    } finally {
      again.close()
      app.close()
    }
  })
})
