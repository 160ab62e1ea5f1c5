// Read-only commands beside the data dir's owner: the database opened read-only, never written.
import Database from 'better-sqlite3'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DATABASE_FILE_NAME, open } from '../../../../../src-main/core/app'
import { latestSchemaVersion, migrate, schemaVersion } from '../../../../../src-main/core/db/migrate'
import { migrations } from '../../../../../src-main/core/db/migrations/index'
import { claimDataDir } from '../../../../../src-main/core/owner/lock'
import { useTempDirs } from '../../../../support/tempDir'

const tempDir = useTempDirs()

/** A data dir left by an earlier release: its database one migration behind. */
function olderDataDir(): string {
  const dir = tempDir()
  const db = new Database(join(dir, DATABASE_FILE_NAME))
  migrate(db, migrations.slice(0, -1))
  db.close()
  return dir
}

describe('opening a data dir read-only', () => {
  it('cannot write, and opening its market view writes nothing', () => {
    const dir = tempDir()
    open(dir).close()
    const app = open(dir, { readOnly: true })
    try {
      expect(app.db.readonly).toBe(true)
      expect(app.market().runs()).toEqual([])
      expect(() => app.esuProfiles.delete('anything')).toThrow(/readonly/)
    } finally {
      app.close()
    }
  })

  it('applies an earlier release’s migrations first when no process holds the data dir', () => {
    const dir = olderDataDir()
    const app = open(dir, { readOnly: true })
    expect(schemaVersion(app.db)).toBe(latestSchemaVersion)
    app.close()
  })

  it('names the schema instead of migrating under a process that holds the data dir', () => {
    const dir = olderDataDir()
    const lock = claimDataDir(dir, 'dv2g serve')
    try {
      expect(() => open(dir, { readOnly: true })).toThrow(
        `has schema version ${latestSchemaVersion - 1}, this dv2g reads ${latestSchemaVersion}`
      )
    } finally {
      lock.release()
    }
  })
})
