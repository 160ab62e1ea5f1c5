// /dv2g/sync/1.0.0: a cursor in, the next batch of transactions out. The cursor is the serving
// peer's own arrival order (`seq`), which is parents-first by construction (a transaction is
// stored only once its parents are), so a batch applied in order never waits for a parent.
// The request is one 12-byte frame (cursor u64, at most u32 transactions); the answer is one
// 4-byte count frame, then frames of up to 256 KiB packed with that many records of seq (u64),
// length (u32) and transaction bytes: a frame per transaction made the asking node read, search
// and copy 2,000 times a batch. Every frame has a size cap, every request a deadline, each peer
// one sync stream on us at a time, and every stream is closed (or aborted) however it ends.
import type { PeerId, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { MAX_TX_BYTES } from '../../ledger/transaction'
import { answerError, isOversizedFrame, oversizedReason, type Conduct } from '../peers/conduct'
import type { NetworkLibp2p } from '../libp2pConfig'
import { Dv2gError, type RefusalOptions } from '../../../../src-shared/errors'

export const SYNC_PROTOCOL = '/dv2g/sync/1.0.0'
/** transactions per answer: at most 2000 × 4 KiB = 8 MiB in flight per stream (a typical one is 0.6 MiB); fewer made sync a fifth slower */
export const MAX_SYNC_BATCH = 2000
/** a batch is bigger than the parent requests: 500 transactions take a loaded peer a while to read and send */
export const SYNC_TIMEOUT_MS = 15_000
const REQUEST_BYTES = 12
/** an answer frame holds whole records; one record always fits */
const MAX_SYNC_FRAME_BYTES = 256 * 1024
/** seq (u64) and length (u32) before each transaction */
const RECORD_HEADER_BYTES = 12

export class SyncError extends Dv2gError {
  constructor(message: string, options: RefusalOptions = {}) {
    super(options.code ?? 'malformed', message, options)
  }
}

/** The peer did not answer a sync request in time: slow or stalling, not a broken protocol (no ban). */
export class SyncTimeoutError extends Dv2gError {
  constructor() {
    super('unavailable', `no answer to a sync request within ${SYNC_TIMEOUT_MS / 1000} s`)
    this.name = 'SyncTimeoutError'
  }
}

/** Transactions stored after a cursor, oldest first: what a peer asking to sync gets. */
export type HistoryReader = (afterSeq: number, limit: number) => { seq: number; bytes: Uint8Array }[]

export interface SyncBatch {
  /** the serving peer's seq of each transaction, increasing */
  seqs: number[]
  transactions: Uint8Array[]
}

function encodeRequest(afterSeq: number, limit: number): Uint8Array {
  const frame = new Uint8Array(REQUEST_BYTES)
  const view = new DataView(frame.buffer)
  view.setBigUint64(0, BigInt(afterSeq))
  view.setUint32(8, limit)
  return frame
}

function decodeRequest(frame: Uint8Array): { afterSeq: number; limit: number } {
  if (frame.length !== REQUEST_BYTES) throw new SyncError(`a sync request is ${REQUEST_BYTES} bytes, not ${frame.length}`)
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength)
  const afterSeq = view.getBigUint64(0)
  if (afterSeq > BigInt(Number.MAX_SAFE_INTEGER)) throw new SyncError(`sync cursor ${afterSeq} is out of range`)
  // a peer asking for more than the cap gets the cap
  return { afterSeq: Number(afterSeq), limit: Math.min(view.getUint32(8), MAX_SYNC_BATCH) }
}

/** Answers peers catching up with the transactions stored here after their cursor, each within its rate limit; an oversized request frame bans its sender. */
export async function serveSync(node: NetworkLibp2p, history: HistoryReader, conduct: Conduct): Promise<void> {
  await node.handle(
    SYNC_PROTOCOL,
    async (stream: Stream, connection) => {
      const signal = AbortSignal.timeout(SYNC_TIMEOUT_MS)
      const peer = connection.remotePeer.toString()
      try {
        const lp = lpStream(stream, { maxDataLength: REQUEST_BYTES })
        const { afterSeq, limit } = decodeRequest((await lp.read({ signal })).subarray())
        if (!conduct.admit(peer)) throw new SyncError(`${peer} is past its rate limit on ${SYNC_PROTOCOL}`)
        const rows = limit > 0 ? history(afterSeq, limit) : []
        const count = new Uint8Array(4)
        new DataView(count.buffer).setUint32(0, rows.length)
        await lp.writeV([count, ...packRecords(rows)], { signal })
        await stream.close({ signal })
      } catch (error) {
        if (isOversizedFrame(error)) conduct.broke(peer, oversizedReason(SYNC_PROTOCOL, REQUEST_BYTES))
        stream.abort(error instanceof Error ? error : new Error(String(error)))
      }
    },
    // one sync at a time per peer: a second stream from the same peer is reset
    { maxInboundStreams: 1 }
  )
}

/**
 * Asks one peer for up to `limit` transactions it stored after `afterSeq`; an empty batch means
 * caught up. `sent` is called once the request is out, so the caller may block its thread (store
 * the previous batch) while the peer reads and sends this one.
 */
export async function requestSyncBatch(
  node: NetworkLibp2p,
  peer: PeerId,
  afterSeq: number,
  limit: number,
  sent: () => void = () => {}
): Promise<SyncBatch> {
  if (!Number.isSafeInteger(afterSeq) || afterSeq < 0) throw new SyncError(`sync cursor ${afterSeq} is not a seq`)
  if (limit < 1 || limit > MAX_SYNC_BATCH) throw new SyncError(`1 to ${MAX_SYNC_BATCH} transactions per sync request, not ${limit}`)
  const signal = AbortSignal.timeout(SYNC_TIMEOUT_MS)
  let stream: Stream
  try {
    stream = await node.dialProtocol(peer, SYNC_PROTOCOL, { signal })
  } catch (error) {
    throw signal.aborted ? new SyncTimeoutError() : error
  }
  try {
    const lp = lpStream(stream, { maxDataLength: MAX_SYNC_FRAME_BYTES })
    await lp.write(encodeRequest(afterSeq, limit), { signal })
    sent()
    const countFrame = (await lp.read({ signal })).subarray()
    if (countFrame.length !== 4) throw new SyncError(`a sync answer starts with a 4-byte count, not ${countFrame.length} bytes`)
    const count = new DataView(countFrame.buffer, countFrame.byteOffset, 4).getUint32(0)
    if (count > limit) throw new SyncError(`the peer announced ${count} transactions, ${limit} were asked for`)
    const batch: SyncBatch = { seqs: [], transactions: [] }
    while (batch.seqs.length < count) readRecords((await lp.read({ signal })).subarray(), batch, count, afterSeq)
    await stream.close({ signal })
    return batch
  } catch (error) {
    stream.abort(error instanceof Error ? error : new Error(String(error)))
    if (signal.aborted && !(error instanceof SyncError)) throw new SyncTimeoutError()
    throw answerError(error, SYNC_PROTOCOL, MAX_SYNC_FRAME_BYTES)
  }
}

/** Records packed into frames of at most MAX_SYNC_FRAME_BYTES, in order. */
function packRecords(rows: readonly { seq: number; bytes: Uint8Array }[]): Uint8Array[] {
  const frames: Uint8Array[] = []
  for (let from = 0; from < rows.length;) {
    let size = 0
    let to = from
    while (to < rows.length && size + RECORD_HEADER_BYTES + rows[to]!.bytes.length <= MAX_SYNC_FRAME_BYTES)
      size += RECORD_HEADER_BYTES + rows[to++]!.bytes.length
    const frame = new Uint8Array(size)
    const view = new DataView(frame.buffer)
    let at = 0
    for (const { seq, bytes } of rows.slice(from, to)) {
      view.setBigUint64(at, BigInt(seq))
      view.setUint32(at + 8, bytes.length)
      frame.set(bytes, at + RECORD_HEADER_BYTES)
      at += RECORD_HEADER_BYTES + bytes.length
    }
    frames.push(frame)
    from = to
  }
  return frames
}

/** Appends a frame's records to the batch, checking each against the announced count, the size cap and the cursor. */
function readRecords(frame: Uint8Array, batch: SyncBatch, count: number, afterSeq: number): void {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength)
  if (frame.length === 0) throw new SyncError('a sync frame carries no transaction')
  for (let at = 0; at < frame.length;) {
    if (batch.seqs.length === count) throw new SyncError(`the peer sent more than the ${count} transactions it announced`)
    if (at + RECORD_HEADER_BYTES > frame.length) throw new SyncError('a sync frame ends inside a record header')
    const seq = Number(view.getBigUint64(at))
    const length = view.getUint32(at + 8)
    if (length === 0 || length > MAX_TX_BYTES)
      throw new SyncError(`a sync record of ${length} bytes (a transaction is 1 to ${MAX_TX_BYTES})`)
    if (at + RECORD_HEADER_BYTES + length > frame.length) throw new SyncError('a sync frame ends inside a transaction')
    const previous = batch.seqs.at(-1) ?? afterSeq
    // the cursor only moves forward: a peer going backwards would make us sync forever
    if (!(seq > previous) || !Number.isSafeInteger(seq)) throw new SyncError(`the peer sent seq ${seq} after ${previous}`)
    batch.seqs.push(seq)
    // a view, not a copy: the frame lives until its batch is stored
    batch.transactions.push(frame.subarray(at + RECORD_HEADER_BYTES, at + RECORD_HEADER_BYTES + length))
    at += RECORD_HEADER_BYTES + length
  }
}
