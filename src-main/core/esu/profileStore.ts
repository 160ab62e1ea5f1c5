import type { WritableDB } from '../db/connection'
import { esuParametersSchema, storedEsuParametersSchema, type EsuParametersInput, type EsuProfile } from '../../../src-shared/contract'
import type { EventBus } from '../events'

interface ProfileRow {
  name: string
  parameters: string
  updated_at: string
}

/** Named ESU parameter sets, kept in SQLite so an operator's cases survive restarts. */
export class EsuProfileStore {
  constructor(
    private readonly db: WritableDB,
    private readonly events: EventBus,
    private readonly now: () => Date = () => new Date()
  ) {}

  list(): EsuProfile[] {
    const rows = this.db.prepare<[], ProfileRow>('SELECT name, parameters, updated_at FROM esu_profiles ORDER BY name COLLATE NOCASE').all()
    return rows.map(toProfile)
  }

  /** Saves under a name; an existing profile of that name (any case) is replaced. */
  save(name: string, parameters: EsuParametersInput): EsuProfile {
    const checked = esuParametersSchema.parse(parameters)
    const at = this.now().toISOString()
    this.db
      .prepare<[string, string, string, string]>(
        `INSERT INTO esu_profiles (name, parameters, created_at, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET name = excluded.name, parameters = excluded.parameters,
           updated_at = excluded.updated_at`
      )
      .run(name, JSON.stringify(checked), at, at)
    this.announce()
    return { name, parameters: checked, updatedAt: at }
  }

  delete(name: string): boolean {
    const { changes } = this.db.prepare<[string]>('DELETE FROM esu_profiles WHERE name = ?').run(name)
    if (changes > 0) this.announce()
    return changes > 0
  }

  private announce(): void {
    this.events.emit('esu.profilesChanged', { names: this.list().map((p) => p.name) })
  }
}

function toProfile(row: ProfileRow): EsuProfile {
  return { name: row.name, parameters: storedEsuParametersSchema.parse(JSON.parse(row.parameters)), updatedAt: row.updated_at }
}
