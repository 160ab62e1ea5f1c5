// What a tangle transaction holds (docs/model.md "Transactions"): two approved parents, an issuer, a kind
// with its payload, a timestamp, a nonce for the proof of work and a signature.

export const TX_VERSION = 1
/**
 * The codec version that knows milestones and a genesis naming milestone issuers. A transaction
 * version 1 can express is always encoded in version 1, so data dirs written before milestones
 * keep their bytes and ids, and each transaction has one encoding.
 */
export const TX_VERSION_MILESTONES = 2
export const ID_BYTES = 32
export const PUBLIC_KEY_BYTES = 32
export const SIGNATURE_BYTES = 64
export const ADDRESS_BYTES = 32
/** Spam protection: nothing a transfer or a meter summary needs comes near this. */
export const MAX_TX_BYTES = 4096
export const MAX_INPUTS = 32
export const MAX_OUTPUTS = 32
export const STATE_HASH_BYTES = 32
export const MAX_MILESTONE_ISSUERS = 16

export enum TxKind {
  Genesis = 0,
  Transfer = 1,
  Data = 2,
  Milestone = 3
}

export interface OutputRef {
  txId: Uint8Array
  index: number
}

export interface TxOutput {
  /** hash of the owner's public key */
  address: Uint8Array
  /** integer base units */
  amount: bigint
}

export type Payload =
  /** milestoneIssuers: public keys allowed to sign milestones (absent in a version 1 genesis) */
  | { kind: TxKind.Genesis; outputs: TxOutput[]; milestoneIssuers?: Uint8Array[] }
  | { kind: TxKind.Transfer; inputs: OutputRef[]; outputs: TxOutput[] }
  | { kind: TxKind.Data; topic: string; body: Uint8Array }
  /** index 1, 2, …; previous: milestone index − 1's id (zero for 1); stateHash after applying it */
  | { kind: TxKind.Milestone; index: number; previous: Uint8Array; stateHash: Uint8Array }

/** The signed part: everything but the signature and the proof-of-work nonce. */
export interface Essence {
  trunk: Uint8Array
  branch: Uint8Array
  issuer: Uint8Array
  timestampMs: number
  payload: Payload
}

export interface Transaction extends Essence {
  signature: Uint8Array
  nonce: bigint
}
