// /dv2g/status/1.0.0: on every new connection, and again at every heartbeat, both sides say which
// network they are on (the id of their genesis), how much they hold and their latest milestone.
// A peer of another network is refused; a node with no genesis yet learns the network from its
// first peer; a node that stays behind what a peer held a heartbeat ago syncs from it. One small
// frame each way.
import type { PeerId, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { z } from 'zod'
import { isOversizedFrame, oversizedReason, type Conduct } from '../peers/conduct'
import type { NetworkLibp2p } from '../libp2pConfig'
import { Dv2gError, type RefusalOptions } from '../../../../src-shared/errors'

export const STATUS_PROTOCOL = '/dv2g/status/1.0.0'
const MAX_STATUS_BYTES = 1024
const STATUS_TIMEOUT_MS = 5_000

const statusSchema = z
  .object({
    /** the genesis id in hex; null while this node has no genesis */
    networkId: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .nullable(),
    transactions: z.number().int().nonnegative(),
    /** the index of the latest milestone applied; null before the first */
    milestone: z.number().int().positive().nullable()
  })
  .strict()

export type PeerStatus = z.infer<typeof statusSchema>

export class StatusError extends Dv2gError {
  constructor(message: string, options: RefusalOptions = {}) {
    super(options.code ?? 'malformed', message, options)
  }
}

const encoder = new TextEncoder()

function decodeStatus(frame: Uint8Array): PeerStatus {
  try {
    return statusSchema.parse(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(frame)))
  } catch (error) {
    throw new StatusError(`not a status: ${error instanceof Error ? error.message : String(error)}`)
  }
}

/** Answers a peer's status with ours, and passes theirs on. */
export async function serveStatus(
  node: NetworkLibp2p,
  local: () => PeerStatus,
  heard: (peer: PeerId, status: PeerStatus) => void,
  conduct: Conduct
): Promise<void> {
  await node.handle(
    STATUS_PROTOCOL,
    async (stream: Stream, connection) => {
      const signal = AbortSignal.timeout(STATUS_TIMEOUT_MS)
      const peer = connection.remotePeer.toString()
      try {
        if (!conduct.admit(peer)) throw new StatusError(`${peer} is past its rate limit on ${STATUS_PROTOCOL}`)
        const lp = lpStream(stream, { maxDataLength: MAX_STATUS_BYTES })
        const theirs = decodeStatus((await lp.read({ signal })).subarray())
        await lp.write(encoder.encode(JSON.stringify(local())), { signal })
        await stream.close({ signal })
        heard(connection.remotePeer, theirs)
      } catch (error) {
        if (isOversizedFrame(error)) conduct.broke(peer, oversizedReason(STATUS_PROTOCOL, MAX_STATUS_BYTES))
        stream.abort(error instanceof Error ? error : new Error(String(error)))
      }
    },
    { maxInboundStreams: 2 }
  )
}

/** Sends our status to a peer and returns theirs. */
export async function exchangeStatus(node: NetworkLibp2p, peer: PeerId, local: PeerStatus): Promise<PeerStatus> {
  const signal = AbortSignal.timeout(STATUS_TIMEOUT_MS)
  const stream = await node.dialProtocol(peer, STATUS_PROTOCOL, { signal })
  try {
    const lp = lpStream(stream, { maxDataLength: MAX_STATUS_BYTES })
    await lp.write(encoder.encode(JSON.stringify(local)), { signal })
    const theirs = decodeStatus((await lp.read({ signal })).subarray())
    await stream.close({ signal })
    return theirs
  } catch (error) {
    stream.abort(error instanceof Error ? error : new Error(String(error)))
    throw error
  }
}
