import { chmodSync } from 'node:fs'
import Database from 'better-sqlite3'
import { latestSchemaVersion, migrate, schemaVersion } from './migrate'
import { Dv2gError } from '../../../src-shared/errors'

declare const readable: unique symbol
declare const writable: unique symbol

/** A handle that reads: what a read-only open gives, and what a store that only reads asks for. */
export type ReadableDB = Database.Database & { readonly [readable]: true }
/** A handle that also writes: it stands wherever a ReadableDB is asked for, never the other way. */
export type WritableDB = ReadableDB & { readonly [writable]: true }
/** The handle a data dir's services are built on. */
export type Db = WritableDB

/**
 * Opens (creating if needed) the one SQLite file of a data dir: WAL so readers never block the
 * writer, synchronous=FULL so an acknowledged commit survives a crash, migrations applied. An
 * upgrade is said on `note` (stderr by default): it may rebuild the ledger's tables, which takes
 * seconds on a large tangle, and the operator should not take it for a hang.
 */
export function openDatabase(file: string, note: (line: string) => void = (line) => console.error(line)): WritableDB {
  const db = new Database(file) as WritableDB
  try {
    // SQLite gives the -wal and -shm it creates the database file's mode: 0600 before the first write
    keepPrivate(file)
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = FULL')
    db.pragma('foreign_keys = ON')
    db.pragma('busy_timeout = 5000')
    const from = schemaVersion(db)
    const upgrading = from > 0 && from < latestSchemaVersion
    if (upgrading) note(`dv2g: upgrading ${file} from schema ${from} to ${latestSchemaVersion}, once (a large tangle takes a while)`)
    const started = performance.now()
    migrate(db)
    if (upgrading) note(`dv2g: upgraded ${file} in ${((performance.now() - started) / 1000).toFixed(1)} s`)
    // the log files an earlier release left 0644 are not recreated while they exist
    for (const companion of [`${file}-wal`, `${file}-shm`]) keepPrivate(companion)
    return db
  } catch (error) {
    db.close()
    throw error
  }
}

/** The database and its log hold password hashes and meter data: readable by their user only. */
function keepPrivate(path: string): void {
  if (process.platform === 'win32' || path === ':memory:' || path === '') return
  try {
    chmodSync(path, 0o600)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
}

/** A database written by another release than this one. */
export class SchemaVersionError extends Dv2gError {
  constructor(
    file: string,
    readonly version: number
  ) {
    super(
      'failed_precondition',
      `${file} has schema version ${version}, this dv2g reads ${latestSchemaVersion}: open the data dir once with a command that writes, or with the app`
    )
    this.name = 'SchemaVersionError'
  }
}

/**
 * Opens an existing data dir's database for reading only: what read-only commands use, so they
 * can run beside the process that owns the data dir without ever writing to it.
 */
export function openDatabaseReadOnly(file: string): ReadableDB {
  const db = new Database(file, { readonly: true, fileMustExist: true }) as ReadableDB
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

/**
 * A read-only handle for services that also write: a read-only app serves reads through them,
 * and SQLite refuses any write they would attempt (SQLITE_READONLY), so nothing is changed.
 */
export function servingReadsOnly(db: ReadableDB): WritableDB {
  return db as WritableDB
}
