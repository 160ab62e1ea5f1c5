// The chargers an operator has registered, in SQLite: who may connect (a password, kept hashed),
// how a charger reads a negative limit, and the market participant its sessions stand for. Also
// the one setting for chargers that are not registered: Pending or Rejected.
import { z } from 'zod'
import type Database from 'better-sqlite3'
import type { Db } from '../db/connection'
import { nameProblem, nameSchema } from '../../../src-shared/names'
import { firstIssue, issueField, OcppError } from './errors'
import { hashPassword, newChargerPassword } from './passwords'

/**
 * A charger's identity, the last part of its URL and its Basic auth user name: OCPP's
 * identifierString without ':', which Basic auth cannot carry in a user name, at most 48 characters.
 */
export const chargerIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9*\-_=+|@.]{1,48}$/, 'a charger id is 1 to 48 of A-Z a-z 0-9 * - _ = + | @ .')
  .superRefine((id, ctx) => {
    // the pattern lets "__proto__" and "constructor" through: the names rule does not
    const problem = nameProblem('charger id', id)
    if (problem) ctx.addIssue({ code: 'custom', message: problem })
  })

/** OCPP's BasicAuthPassword: 16 to 40 printable ASCII characters. */
export const chargerPasswordSchema = z
  .string()
  .regex(/^[\x21-\x7e]{16,40}$/, 'a charger password is 16 to 40 printable ASCII characters, no spaces')

export const newChargerSchema = z.strictObject({
  id: chargerIdSchema,
  /** when absent, one is made and given back once */
  password: chargerPasswordSchema.optional(),
  /** a 1.6 or 2.0.1 charger that reads a negative limit as "discharge at up to this power" */
  dischargeByNegativeLimit: z.boolean().default(false),
  prosumer: nameSchema().nullable().default(null)
})

export type NewCharger = z.input<typeof newChargerSchema>

export const chargerChangesSchema = z.strictObject({
  dischargeByNegativeLimit: z.boolean().optional(),
  prosumer: nameSchema().nullable().optional()
})

export type ChargerChanges = z.input<typeof chargerChangesSchema>

export interface ChargerRecord {
  id: string
  dischargeByNegativeLimit: boolean
  prosumer: string | null
  createdAt: string
}

export type UnknownChargerAnswer = 'Pending' | 'Rejected'

interface ChargerRow {
  id: string
  password_hash: string
  discharge_by_negative_limit: number
  prosumer: string | null
  created_at: string
}

export class ChargerRegistry {
  /** every meter value asks for its charger's prosumer: prepared once */
  private rowStatement: Database.Statement<[string], ChargerRow> | undefined

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now
  ) {}

  /** Registers a charger; the password (the one given, or a new one) is returned and stored only as a hash. */
  async add(input: NewCharger): Promise<{ charger: ChargerRecord; password: string }> {
    const parsed = newChargerSchema.safeParse(input)
    if (!parsed.success) throw new OcppError(firstIssue(parsed.error, 'charger'), { field: issueField(parsed.error, 'charger') })
    const { id, dischargeByNegativeLimit, prosumer } = parsed.data
    if (this.row(id)) throw new OcppError(`id: a charger ${id} is already registered`, { field: 'id' })
    const password = parsed.data.password ?? newChargerPassword()
    const hash = await hashPassword(password)
    const createdAt = new Date(this.now()).toISOString()
    try {
      this.db
        .prepare('INSERT INTO ocpp_chargers (id, password_hash, discharge_by_negative_limit, prosumer, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(id, hash, dischargeByNegativeLimit ? 1 : 0, prosumer, createdAt)
    } catch (error) {
      // added by someone else while the password was being hashed
      if (/UNIQUE|PRIMARY KEY/.test((error as Error).message))
        throw new OcppError(`id: a charger ${id} is already registered`, { field: 'id' })
      throw error
    }
    return { charger: { id, dischargeByNegativeLimit, prosumer, createdAt }, password }
  }

  /**
   * Changes how a charger reads a negative limit, or whom its sessions stand for. Its connectors'
   * meters follow a new prosumer, unless the operator has assigned one of them elsewhere.
   */
  update(id: string, changes: ChargerChanges): ChargerRecord {
    const parsed = chargerChangesSchema.safeParse(changes)
    if (!parsed.success) throw new OcppError(firstIssue(parsed.error, 'charger'), { field: issueField(parsed.error, 'charger') })
    const before = this.get(id)
    if (!before) throw new OcppError(`id: no charger ${id} is registered`, { field: 'id' })
    const { dischargeByNegativeLimit, prosumer } = parsed.data
    const after: ChargerRecord = {
      ...before,
      dischargeByNegativeLimit: dischargeByNegativeLimit ?? before.dischargeByNegativeLimit,
      prosumer: prosumer === undefined ? before.prosumer : prosumer
    }
    this.db.transaction(() => {
      this.db
        .prepare('UPDATE ocpp_chargers SET discharge_by_negative_limit = ?, prosumer = ? WHERE id = ?')
        .run(after.dischargeByNegativeLimit ? 1 : 0, after.prosumer, id)
      const prefix = `ocpp:${id}:`
      this.db
        .prepare('UPDATE meters SET prosumer = ? WHERE substr(id, 1, length(?)) = ? AND (prosumer IS NULL OR prosumer IS ?)')
        .run(after.prosumer, prefix, prefix, before.prosumer)
    })()
    return after
  }

  remove(id: string): void {
    if (this.db.prepare('DELETE FROM ocpp_chargers WHERE id = ?').run(id).changes === 0)
      throw new OcppError(`id: no charger ${id} is registered`, { field: 'id' })
  }

  list(): ChargerRecord[] {
    return this.db.prepare<[], ChargerRow>('SELECT * FROM ocpp_chargers ORDER BY id').all().map(toRecord)
  }

  get(id: string): ChargerRecord | null {
    const row = this.row(id)
    return row ? toRecord(row) : null
  }

  /** The stored hash, for the handshake only. */
  passwordHash(id: string): string | null {
    return this.row(id)?.password_hash ?? null
  }

  get unknownChargers(): UnknownChargerAnswer {
    return this.db.prepare<[], UnknownChargerAnswer>('SELECT unknown_chargers FROM ocpp_settings WHERE id = 1').pluck().get() ?? 'Rejected'
  }

  setUnknownChargers(answer: UnknownChargerAnswer): void {
    const parsed = z.enum(['Pending', 'Rejected']).safeParse(answer)
    if (!parsed.success)
      throw new OcppError(`unknownChargers: ${JSON.stringify(answer)} is neither Pending nor Rejected`, { field: 'unknownChargers' })
    this.db
      .prepare(
        'INSERT INTO ocpp_settings (id, unknown_chargers) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET unknown_chargers = excluded.unknown_chargers'
      )
      .run(parsed.data)
  }

  private row(id: string): ChargerRow | undefined {
    this.rowStatement ??= this.db.prepare<[string], ChargerRow>('SELECT * FROM ocpp_chargers WHERE id = ?')
    return this.rowStatement.get(id)
  }
}

function toRecord(row: ChargerRow): ChargerRecord {
  return { id: row.id, dischargeByNegativeLimit: row.discharge_by_negative_limit === 1, prosumer: row.prosumer, createdAt: row.created_at }
}
