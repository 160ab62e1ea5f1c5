/** The inverse of the ledger's toHex, for ids that travel as hex inside this node. */
export function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'))
}
