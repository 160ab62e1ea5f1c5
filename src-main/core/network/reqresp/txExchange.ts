// /dv2g/tx/1.0.0: ids in, transactions out. A request is one frame of up to MAX_IDS_PER_REQUEST
// 32-byte ids; the answer is one frame per id, in order, empty when the peer does not hold it.
// Used to fetch the missing parents of held transactions. Every frame has a size cap, every
// request a deadline, and every stream is closed (or aborted) however it ends: once a peer's
// maxInboundStreams is reached, new streams are reset.
import type { PeerId, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { MAX_TX_BYTES, ID_BYTES } from '../../ledger/transaction'
import { answerError, isOversizedFrame, oversizedReason, txRequestCost, type Conduct } from '../peers/conduct'
import type { NetworkLibp2p } from '../libp2pConfig'
import { Dv2gError, type RefusalOptions } from '../../../../src-shared/errors'

export const TX_PROTOCOL = '/dv2g/tx/1.0.0'
export const MAX_IDS_PER_REQUEST = 256
/** streams a peer may have open on us at once; our own requests to one peer stay at this too */
export const MAX_STREAMS_PER_PEER = 4
export const REQUEST_TIMEOUT_MS = 5_000
const MAX_REQUEST_BYTES = MAX_IDS_PER_REQUEST * ID_BYTES

/** The transactions held here, by id; undefined for one not held. */
export type TransactionLookup = (ids: Uint8Array[]) => (Uint8Array | undefined)[]

export class TxExchangeError extends Dv2gError {
  constructor(message: string, options: RefusalOptions = {}) {
    super(options.code ?? 'malformed', message, options)
  }
}

function splitIds(frame: Uint8Array): Uint8Array[] {
  if (frame.length === 0 || frame.length % ID_BYTES !== 0)
    throw new TxExchangeError(`a request of ${frame.length} bytes is not a list of ${ID_BYTES}-byte ids`)
  const ids: Uint8Array[] = []
  for (let at = 0; at < frame.length; at += ID_BYTES) ids.push(frame.slice(at, at + ID_BYTES))
  return ids
}

/** Answers requests from peers, each within its rate limit; an oversized request frame bans its sender. */
export async function serveTransactions(node: NetworkLibp2p, lookup: TransactionLookup, conduct: Conduct): Promise<void> {
  await node.handle(
    TX_PROTOCOL,
    async (stream: Stream, connection) => {
      const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS)
      const peer = connection.remotePeer.toString()
      try {
        const lp = lpStream(stream, { maxDataLength: MAX_REQUEST_BYTES })
        const ids = splitIds((await lp.read({ signal })).subarray())
        if (!conduct.admit(peer, txRequestCost(ids.length))) throw new TxExchangeError(`${peer} is past its rate limit on ${TX_PROTOCOL}`)
        const found = lookup(ids)
        await lp.writeV(
          found.map((bytes) => bytes ?? new Uint8Array(0)),
          { signal }
        )
        await stream.close({ signal })
      } catch (error) {
        if (isOversizedFrame(error)) conduct.broke(peer, oversizedReason(TX_PROTOCOL, MAX_REQUEST_BYTES))
        stream.abort(error instanceof Error ? error : new Error(String(error)))
      }
    },
    { maxInboundStreams: MAX_STREAMS_PER_PEER }
  )
}

/** Asks one peer for up to MAX_IDS_PER_REQUEST transactions; undefined for those it does not hold. */
export async function requestTransactions(
  node: NetworkLibp2p,
  peer: PeerId,
  ids: readonly Uint8Array[]
): Promise<(Uint8Array | undefined)[]> {
  if (ids.length === 0 || ids.length > MAX_IDS_PER_REQUEST)
    throw new TxExchangeError(`1 to ${MAX_IDS_PER_REQUEST} ids per request, not ${ids.length}`)
  const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS)
  const stream = await node.dialProtocol(peer, TX_PROTOCOL, { signal })
  try {
    const lp = lpStream(stream, { maxDataLength: MAX_TX_BYTES })
    const request = new Uint8Array(ids.length * ID_BYTES)
    ids.forEach((id, i) => request.set(id, i * ID_BYTES))
    await lp.write(request, { signal })
    const answers: (Uint8Array | undefined)[] = []
    for (let i = 0; i < ids.length; i++) {
      const frame = (await lp.read({ signal })).subarray()
      answers.push(frame.length ? frame : undefined)
    }
    await stream.close({ signal })
    return answers
  } catch (error) {
    stream.abort(error instanceof Error ? error : new Error(String(error)))
    throw answerError(error, TX_PROTOCOL, MAX_TX_BYTES)
  }
}
