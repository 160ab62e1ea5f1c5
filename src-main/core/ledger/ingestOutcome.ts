// What became of one transaction offered to the ledger: apart from the ledger, so the queue in
// front of it can name it without importing the ledger it feeds.
export type IngestOutcome =
  | { status: 'accepted'; id: string; index: number }
  | { status: 'duplicate'; id: string }
  | { status: 'held'; id: string; reason: string }
  | { status: 'refused'; id?: string; reason: string }
