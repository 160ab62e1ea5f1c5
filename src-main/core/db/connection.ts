import Database from 'better-sqlite3'
import { migrate } from './migrate'

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
