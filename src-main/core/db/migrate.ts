import type Database from 'better-sqlite3'
import { migrations, type Migration } from './migrations/index'

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number
}

export const latestSchemaVersion = migrations.length

/**
 * Brings the database up to the latest schema, one migration per transaction, so a crash
 * mid-way leaves it at a known version. A database from a newer release is refused rather
 * than guessed at.
 */
export function migrate(db: Database.Database, all: readonly Migration[] = migrations): number {
  const current = schemaVersion(db)
  if (current > all.length) {
    throw new Error(`database schema version ${current} is newer than this release understands (${all.length}); use a newer DV2G Operator`)
  }
  for (const migration of all.slice(current)) {
    // the pragma is a no-op inside a transaction, so it is switched around it
    const foreignKeysOff = migration.rebuildsReferencedTables === true && db.pragma('foreign_keys', { simple: true }) === 1
    if (foreignKeysOff) db.pragma('foreign_keys = OFF')
    try {
      db.transaction(() => {
        migration.up(db)
        if (migration.rebuildsReferencedTables) refuseBrokenReferences(db, migration)
        db.pragma(`user_version = ${migration.version}`)
      })()
    } finally {
      if (foreignKeysOff) db.pragma('foreign_keys = ON')
    }
  }
  return schemaVersion(db)
}

function refuseBrokenReferences(db: Database.Database, migration: Migration): void {
  const broken = db.pragma('foreign_key_check') as { table: string; rowid: number; parent: string }[]
  if (broken.length === 0) return
  const first = broken[0]!
  throw new Error(
    `migration ${migration.version} (${migration.name}) would leave ${broken.length} ${broken.length === 1 ? 'row' : 'rows'} referring to rows that are not there, the first in ${first.table} (row ${first.rowid}, referring to ${first.parent})`
  )
}
