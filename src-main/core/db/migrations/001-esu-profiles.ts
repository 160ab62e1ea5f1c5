import type { Migration } from './migration'

export const m001EsuProfiles: Migration = {
  version: 1,
  name: 'esu profiles',
  up(db) {
    db.exec(`
      CREATE TABLE esu_profiles (
        name        TEXT PRIMARY KEY COLLATE NOCASE,
        parameters  TEXT NOT NULL CHECK (json_valid(parameters)),
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
      ) STRICT;
    `)
  }
}
