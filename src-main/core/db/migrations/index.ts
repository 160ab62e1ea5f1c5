import type { Migration } from './migration'
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

export type { Migration } from './migration'

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
