import type Database from 'better-sqlite3'
import { m001EsuProfiles } from './001-esu-profiles'
import { m002Ledger } from './002-ledger'
import { m003MarketRuns } from './003-market-runs'
import { m004Meters } from './004-meters'
import { m005MarketPayments } from './005-market-payments'
import { m006Milestones } from './006-milestones'
import { m007MarketTangle } from './007-market-tangle'
import { m008AgentInputsPerParticipant } from './008-agent-inputs-per-participant'
import { m009Ocpp } from './009-ocpp'
import { m010LedgerLocalIndexes } from './010-ledger-local-indexes'

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

/** Append only: a released migration is never edited, a new one is added. */
export const migrations: readonly Migration[] = [
  m001EsuProfiles,
  m002Ledger,
  m003MarketRuns,
  m004Meters,
  m005MarketPayments,
  m006Milestones,
  m007MarketTangle,
  m008AgentInputsPerParticipant,
  m009Ocpp,
  m010LedgerLocalIndexes
]
