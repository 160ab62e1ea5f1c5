import type Database from 'better-sqlite3'

// Apart from the index that lists them, so a migration never imports the list it is on.
export interface Migration {
  /** becomes PRAGMA user_version once applied */
  version: number
  name: string
  up(db: Database.Database): void
  /**
   * Rebuilds a table that other tables reference: runs with foreign keys off (dropping the old
   * table would otherwise break every reference to it) and checks them all before it commits.
   */
  rebuildsReferencedTables?: boolean
}
