// What became of one transaction offered to the ledger: apart from the ledger, so the queue in
// front of it can name it without importing the ledger it feeds.

/**
 * Why a transaction was refused, from a closed list: a peer's ban, a test or a metric counts
 * these; the outcome's reason says the same to a person, with the particulars.
 */
export const REFUSAL_CODES = [
  // on its own (validation.ts)
  'malformed',
  'weak_proof_of_work',
  'clock_skew',
  'bad_signature',
  // against the tangle (ledger.ts, rules.ts)
  'no_genesis',
  'second_genesis',
  'genesis_parents',
  're_mined',
  'approves_rejected',
  'amount_too_large',
  'unknown_input',
  'spends_rejected',
  'input_twice',
  'no_such_output',
  'not_owner',
  'spent_by_confirmed',
  'spent_in_cone',
  'unbalanced',
  'inconsistent',
  // a milestone (milestones.ts)
  'no_milestone_issuers',
  'not_milestone_issuer',
  'milestone_applied',
  'milestone_gap',
  'wrong_previous_milestone',
  'wrong_state_hash'
] as const

export type RefusalCode = (typeof REFUSAL_CODES)[number]

export type IngestOutcome =
  | { status: 'accepted'; id: string; index: number }
  | { status: 'duplicate'; id: string }
  | { status: 'held'; id: string; reason: string }
  | { status: 'refused'; id?: string; code: RefusalCode; reason: string }
