// Versioned binary encoding of a transaction. Layout (little endian):
//   u8 version | u8 kind | trunk 32 | branch 32 | issuer 32 | u64 timestampMs | payload
//   | signature 64 | u64 nonce
// Version 2 only for what version 1 cannot say: a genesis naming milestone issuers (outputs, then
// u8 count | keys 32 each) and a milestone (u32 index | previous milestone id 32 | state hash 32).
// The signature covers everything before it (the essence); the nonce comes last so proof of
// work can hash the fixed prefix once and only vary the last 8 bytes.
import {
  ADDRESS_BYTES,
  ID_BYTES,
  MAX_INPUTS,
  MAX_OUTPUTS,
  MAX_TX_BYTES,
  PUBLIC_KEY_BYTES,
  SIGNATURE_BYTES,
  MAX_MILESTONE_ISSUERS,
  STATE_HASH_BYTES,
  TX_VERSION,
  TX_VERSION_MILESTONES,
  TxKind,
  type Essence,
  type OutputRef,
  type Payload,
  type Transaction,
  type TxOutput
} from './transaction'
import { Dv2gError } from '../../../src-shared/errors'

export class DecodeError extends Dv2gError {
  constructor(reason: string) {
    super('malformed', reason)
    this.name = 'DecodeError'
  }
}

const MAX_TOPIC_BYTES = 64
const U64_MAX = (1n << 64n) - 1n
const textEncoder = new TextEncoder()
const textDecoder = new TextDecoder('utf-8', { fatal: true })

/**
 * Where a data transaction's topic is, as encodedTopic gives it (after version, kind, trunk, branch,
 * issuer and timestamp): an index can pick the topics it wants in SQL, without decoding.
 */
export const DATA_TOPIC_AT = 2 + 2 * ID_BYTES + PUBLIC_KEY_BYTES + 8

/** A data topic as it is encoded: its length in a byte, then its UTF-8 bytes. */
export function encodedTopic(topic: string): Uint8Array {
  const bytes = textEncoder.encode(topic)
  return Uint8Array.of(bytes.length, ...bytes)
}

class Writer {
  private buf = new Uint8Array(512)
  private view = new DataView(this.buf.buffer)
  length = 0

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.length + n))
    bigger.set(this.buf)
    this.buf = bigger
    this.view = new DataView(bigger.buffer)
  }
  u8(v: number) {
    this.room(1)
    this.view.setUint8(this.length++, v)
  }
  u16(v: number) {
    this.room(2)
    this.view.setUint16(this.length, v, true)
    this.length += 2
  }
  u32(v: number) {
    this.room(4)
    this.view.setUint32(this.length, v, true)
    this.length += 4
  }
  u64(v: bigint) {
    this.room(8)
    this.view.setBigUint64(this.length, v, true)
    this.length += 8
  }
  bytes(v: Uint8Array) {
    this.room(v.length)
    this.buf.set(v, this.length)
    this.length += v.length
  }
  done(): Uint8Array {
    return this.buf.slice(0, this.length)
  }
}

class Reader {
  private offset = 0
  private readonly view: DataView
  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  }
  private need(n: number, what: string) {
    if (this.offset + n > this.buf.length) throw new DecodeError(`truncated: ${what} needs ${n} bytes at offset ${this.offset}`)
  }
  u8(what: string) {
    this.need(1, what)
    return this.view.getUint8(this.offset++)
  }
  u16(what: string) {
    this.need(2, what)
    const v = this.view.getUint16(this.offset, true)
    this.offset += 2
    return v
  }
  u32(what: string) {
    this.need(4, what)
    const v = this.view.getUint32(this.offset, true)
    this.offset += 4
    return v
  }
  u64(what: string) {
    this.need(8, what)
    const v = this.view.getBigUint64(this.offset, true)
    this.offset += 8
    return v
  }
  bytes(n: number, what: string) {
    this.need(n, what)
    const v = this.buf.slice(this.offset, this.offset + n)
    this.offset += n
    return v
  }
  get position() {
    return this.offset
  }
  get remaining() {
    return this.buf.length - this.offset
  }
}

function writeOutputs(w: Writer, outputs: TxOutput[]) {
  w.u8(outputs.length)
  for (const o of outputs) {
    w.bytes(o.address)
    w.u64(o.amount)
  }
}

function writePayload(w: Writer, payload: Payload) {
  switch (payload.kind) {
    case TxKind.Genesis:
      writeOutputs(w, payload.outputs)
      if (payload.milestoneIssuers?.length) {
        w.u8(payload.milestoneIssuers.length)
        for (const key of payload.milestoneIssuers) w.bytes(key)
      }
      break
    case TxKind.Milestone:
      w.u32(payload.index)
      w.bytes(payload.previous)
      w.bytes(payload.stateHash)
      break
    case TxKind.Transfer:
      w.u8(payload.inputs.length)
      for (const input of payload.inputs) {
        w.bytes(input.txId)
        w.u16(input.index)
      }
      writeOutputs(w, payload.outputs)
      break
    case TxKind.Data: {
      w.bytes(encodedTopic(payload.topic))
      w.u16(payload.body.length)
      w.bytes(payload.body)
      break
    }
  }
}

function checkLengths(essence: Essence) {
  const fixed: [Uint8Array, number, string][] = [
    [essence.trunk, ID_BYTES, 'trunk'],
    [essence.branch, ID_BYTES, 'branch'],
    [essence.issuer, PUBLIC_KEY_BYTES, 'issuer']
  ]
  for (const [value, size, name] of fixed) {
    if (value.length !== size) throw new DecodeError(`${name} must be ${size} bytes, is ${value.length}`)
  }
  if (!Number.isSafeInteger(essence.timestampMs) || essence.timestampMs < 0)
    throw new DecodeError('timestamp must be a non-negative integer of milliseconds')
  const p = essence.payload
  if (p.kind === TxKind.Milestone) {
    if (!Number.isInteger(p.index) || p.index < 1 || p.index > 0xffff_ffff)
      throw new DecodeError('a milestone index is an integer from 1 to 2^32 − 1')
    if (p.previous.length !== ID_BYTES) throw new DecodeError(`a milestone's previous milestone id must be ${ID_BYTES} bytes`)
    if (p.stateHash.length !== STATE_HASH_BYTES) throw new DecodeError(`a milestone's state hash must be ${STATE_HASH_BYTES} bytes`)
    return
  }
  if (p.kind === TxKind.Genesis && p.milestoneIssuers) {
    if (p.milestoneIssuers.length > MAX_MILESTONE_ISSUERS)
      throw new DecodeError(`a genesis names at most ${MAX_MILESTONE_ISSUERS} milestone issuers`)
    for (const key of p.milestoneIssuers) {
      if (key.length !== PUBLIC_KEY_BYTES) throw new DecodeError(`a milestone issuer key must be ${PUBLIC_KEY_BYTES} bytes`)
    }
  }
  if (p.kind !== TxKind.Data) {
    if (p.outputs.length === 0 || p.outputs.length > MAX_OUTPUTS)
      throw new DecodeError(`a ${TxKind[p.kind]} needs 1 to ${MAX_OUTPUTS} outputs`)
    for (const o of p.outputs) {
      if (o.address.length !== ADDRESS_BYTES) throw new DecodeError(`an output address must be ${ADDRESS_BYTES} bytes`)
      if (o.amount <= 0n || o.amount > U64_MAX) throw new DecodeError('an output amount must be a positive 64-bit integer')
    }
  }
  if (p.kind === TxKind.Transfer) {
    if (p.inputs.length === 0 || p.inputs.length > MAX_INPUTS) throw new DecodeError(`a transfer needs 1 to ${MAX_INPUTS} inputs`)
    for (const i of p.inputs) {
      if (i.txId.length !== ID_BYTES) throw new DecodeError(`an input must name a ${ID_BYTES}-byte transaction id`)
      if (!Number.isInteger(i.index) || i.index < 0 || i.index >= MAX_OUTPUTS) throw new DecodeError('an input index is out of range')
    }
  }
  if (p.kind === TxKind.Data && textEncoder.encode(p.topic).length > MAX_TOPIC_BYTES) {
    throw new DecodeError(`a data topic is at most ${MAX_TOPIC_BYTES} bytes`)
  }
}

/** The lowest version that can express the payload: one encoding per transaction. */
function versionFor(payload: Payload): number {
  const needsMilestones =
    payload.kind === TxKind.Milestone || (payload.kind === TxKind.Genesis && (payload.milestoneIssuers?.length ?? 0) > 0)
  return needsMilestones ? TX_VERSION_MILESTONES : TX_VERSION
}

/** The bytes the issuer signs. */
export function encodeEssence(essence: Essence): Uint8Array {
  checkLengths(essence)
  const w = new Writer()
  w.u8(versionFor(essence.payload))
  w.u8(essence.payload.kind)
  w.bytes(essence.trunk)
  w.bytes(essence.branch)
  w.bytes(essence.issuer)
  w.u64(BigInt(essence.timestampMs))
  writePayload(w, essence.payload)
  return w.done()
}

export function encodeTransaction(tx: Transaction): Uint8Array {
  const essence = encodeEssence(tx)
  if (tx.signature.length !== SIGNATURE_BYTES) throw new DecodeError(`signature must be ${SIGNATURE_BYTES} bytes`)
  const w = new Writer()
  w.bytes(essence)
  w.bytes(tx.signature)
  w.u64(tx.nonce)
  const bytes = w.done()
  if (bytes.length > MAX_TX_BYTES) throw new DecodeError(`transaction is ${bytes.length} bytes, the limit is ${MAX_TX_BYTES}`)
  return bytes
}

function readOutputs(r: Reader): TxOutput[] {
  const count = r.u8('output count')
  if (count === 0 || count > MAX_OUTPUTS) throw new DecodeError(`output count ${count} is not within 1..${MAX_OUTPUTS}`)
  const outputs: TxOutput[] = []
  for (let i = 0; i < count; i++) {
    const address = r.bytes(ADDRESS_BYTES, `output ${i} address`)
    const amount = r.u64(`output ${i} amount`)
    if (amount === 0n) throw new DecodeError(`output ${i} has amount 0`)
    outputs.push({ address, amount })
  }
  return outputs
}

function readPayload(r: Reader, kind: number, version: number): Payload {
  if (version === TX_VERSION_MILESTONES && kind !== TxKind.Genesis && kind !== TxKind.Milestone) {
    throw new DecodeError(`a ${TxKind[kind] ?? `kind ${kind}`} transaction is encoded in version ${TX_VERSION}, not ${version}`)
  }
  if (version === TX_VERSION && kind === TxKind.Milestone) throw new DecodeError(`a milestone needs codec version ${TX_VERSION_MILESTONES}`)
  switch (kind) {
    case TxKind.Genesis: {
      const outputs = readOutputs(r)
      if (version === TX_VERSION) return { kind, outputs }
      const count = r.u8('milestone issuer count')
      if (count === 0 || count > MAX_MILESTONE_ISSUERS)
        throw new DecodeError(`milestone issuer count ${count} is not within 1..${MAX_MILESTONE_ISSUERS}`)
      const milestoneIssuers = Array.from({ length: count }, (_, i) => r.bytes(PUBLIC_KEY_BYTES, `milestone issuer ${i}`))
      return { kind, outputs, milestoneIssuers }
    }
    case TxKind.Milestone: {
      const index = r.u32('milestone index')
      if (index === 0) throw new DecodeError('milestone index 0: milestones count from 1')
      return { kind, index, previous: r.bytes(ID_BYTES, 'previous milestone id'), stateHash: r.bytes(STATE_HASH_BYTES, 'state hash') }
    }
    case TxKind.Transfer: {
      const count = r.u8('input count')
      if (count === 0 || count > MAX_INPUTS) throw new DecodeError(`input count ${count} is not within 1..${MAX_INPUTS}`)
      const inputs: OutputRef[] = []
      for (let i = 0; i < count; i++) {
        const txId = r.bytes(ID_BYTES, `input ${i} transaction id`)
        const index = r.u16(`input ${i} index`)
        if (index >= MAX_OUTPUTS) throw new DecodeError(`input ${i} index ${index} is out of range`)
        inputs.push({ txId, index })
      }
      return { kind, inputs, outputs: readOutputs(r) }
    }
    case TxKind.Data: {
      const topicLength = r.u8('topic length')
      if (topicLength > MAX_TOPIC_BYTES) throw new DecodeError(`topic length ${topicLength} exceeds ${MAX_TOPIC_BYTES}`)
      let topic: string
      try {
        topic = textDecoder.decode(r.bytes(topicLength, 'topic'))
      } catch (error) {
        if (error instanceof DecodeError) throw error
        throw new DecodeError('topic is not valid UTF-8')
      }
      const body = r.bytes(r.u16('body length'), 'body')
      return { kind, topic, body }
    }
    default:
      throw new DecodeError(`unknown transaction kind ${kind}`)
  }
}

/** A transaction's kind, read from its encoding without decoding the rest. */
export const kindOf = (bytes: Uint8Array): TxKind => bytes[1] as TxKind

/**
 * What White Flag needs of a stored transaction: the payload of one that moves tokens (a transfer or
 * a genesis), null for any other, which is not decoded (most of a busy tangle is data).
 */
export function tokenPayloadOf(bytes: Uint8Array): Payload | null {
  const kind = kindOf(bytes)
  return kind === TxKind.Transfer || kind === TxKind.Genesis ? decodeTransaction(bytes).tx.payload : null
}

export interface Decoded {
  tx: Transaction
  /** length of the essence, i.e. where the signature starts */
  essenceLength: number
}

/** Parses bytes into a transaction or throws a DecodeError saying what is wrong. */
export function decodeTransaction(bytes: Uint8Array): Decoded {
  if (bytes.length > MAX_TX_BYTES) throw new DecodeError(`transaction is ${bytes.length} bytes, the limit is ${MAX_TX_BYTES}`)
  const r = new Reader(bytes)
  const version = r.u8('version')
  if (version !== TX_VERSION && version !== TX_VERSION_MILESTONES) throw new DecodeError(`unsupported version ${version}`)
  const kind = r.u8('kind')
  const trunk = r.bytes(ID_BYTES, 'trunk')
  const branch = r.bytes(ID_BYTES, 'branch')
  const issuer = r.bytes(PUBLIC_KEY_BYTES, 'issuer')
  const timestamp = r.u64('timestamp')
  if (timestamp > BigInt(Number.MAX_SAFE_INTEGER)) throw new DecodeError('timestamp is out of range')
  const payload = readPayload(r, kind, version)
  const essenceLength = r.position
  const signature = r.bytes(SIGNATURE_BYTES, 'signature')
  const nonce = r.u64('nonce')
  if (r.remaining !== 0) throw new DecodeError(`${r.remaining} trailing bytes after the nonce`)
  return { tx: { trunk, branch, issuer, timestampMs: Number(timestamp), payload, signature, nonce }, essenceLength }
}
