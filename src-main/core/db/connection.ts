import Database from 'better-sqlite3'
import { latestSchemaVersion, migrate, schemaVersion } from './migrate'

export type Db = Database.Database

/**
 * Opens (creating if needed) the one SQLite file of a data dir: WAL so readers never block the
 * writer, synchronous=FULL so an acknowledged commit survives a crash, migrations applied.
 */
export function openDatabase(file: string): Db {
  const db = new Database(file)
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = FULL')
    db.pragma('foreign_keys = ON')
    db.pragma('busy_timeout = 5000')
    migrate(db)
    return db
  } catch (error) {
    db.close()
    throw error
  }
}

/** A database written by another release than this one. */
export class SchemaVersionError extends Error {
  constructor(
    file: string,
    readonly version: number
  ) {
    super(`${file} has schema version ${version}, this dv2g reads ${latestSchemaVersion}: open the data dir once with a command that writes, or with the app`)
    this.name = 'SchemaVersionError'
  }
}

/**
 * Opens an existing data dir's database for reading only: what read-only commands use, so they
 * can run beside the process that owns the data dir without ever writing to it.
 */
export function openDatabaseReadOnly(file: string): Db {
  const db = new Database(file, { readonly: true, fileMustExist: true })
  try {
    db.pragma('busy_timeout = 5000')
    const version = schemaVersion(db)
    if (version !== latestSchemaVersion) throw new SchemaVersionError(file, version)
    return db
  } catch (error) {
    db.close()
    throw error
  }
}
