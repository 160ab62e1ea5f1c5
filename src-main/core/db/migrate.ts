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
    throw new Error(
      `database schema version ${current} is newer than this release understands (${all.length}); use a newer DV2G Operator`
    )
  }
  for (const migration of all.slice(current)) {
    db.transaction(() => {
      migration.up(db)
      db.pragma(`user_version = ${migration.version}`)
    })()
  }
  return schemaVersion(db)
}
