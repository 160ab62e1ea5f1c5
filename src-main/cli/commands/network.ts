// dv2g peers and dv2g network status: questions for the node running on a data dir, asked over its local channel.
import { resolve } from 'node:path'
import { callChannel, ChannelCallError, ChannelUnreachableError } from '../../core/owner/channel'
import { readHolder } from '../../core/owner/lock'
import type { OperationName, OperationOutput } from '../../core/owner/operations'
import { parseArgs, UsageError } from '../args'
import { table, type Output } from '../output'
import { Dv2gError, type RefusalOptions } from '../../../src-shared/errors'

export const peersUsage = `dv2g peers [--banned]
  The peers of the node running on this data dir: id, addresses, connected, latency, gossip score.
  Peers refused (another network) or banned are listed as not connected.
  --banned   the peers banned for misbehaving instead: id, reason (an invalid transaction, an
             oversized frame, a flood past a rate limit, refused history) and until when`

export const networkUsage = `dv2g network status
  The node running on this data dir: peer id, network id (its genesis), listen addresses, peers,
  transactions, whether it is syncing.`

/** Nothing to ask: a service that is not running, not a mistake in what was typed (exit 1). */
export class NoNodeError extends Dv2gError {
  constructor(message: string, options: RefusalOptions = {}) {
    super(options.code ?? 'unavailable', message, options)
  }
}

async function askNode<N extends OperationName>(dataDir: string, name: N): Promise<OperationOutput<N>> {
  const holder = readHolder(resolve(dataDir))
  if (!holder) throw new NoNodeError(`no dv2g node runs on ${resolve(dataDir)}: start one with dv2g node --data-dir ${dataDir}`)
  try {
    return (await callChannel(holder, name, {}, () => {})) as OperationOutput<N>
  } catch (error) {
    if (error instanceof ChannelCallError || error instanceof ChannelUnreachableError)
      throw new NoNodeError(`${holder.owner} (PID ${holder.pid}) holds this data dir: ${error.message}`)
    throw error
  }
}

export async function runPeers(argv: readonly string[], out: Output, dataDir: string): Promise<number> {
  const args = parseArgs(argv, { banned: { value: false } })
  if (args.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`)
  if (args.options.has('banned')) {
    const banned = await askNode(dataDir, 'network.banned')
    out.result(banned, () => (banned.length ? banned.map((b) => `${b.id}  until ${b.until}  ${b.reason}`).join('\n') : 'no banned peers'))
    return 0
  }
  const peers = await askNode(dataDir, 'network.peers')
  out.result(peers, () =>
    peers.length
      ? peers
          .map(
            (p) =>
              `${p.id}  ${p.connected ? 'connected' : 'refused  '}  ${p.latencyMs === null ? '   -' : `${Math.round(p.latencyMs)} ms`}  score ${p.score.toFixed(1)}  ${p.addresses.join(' ')}`
          )
          .join('\n')
      : 'no peers'
  )
  return 0
}

export async function runNetwork(argv: readonly string[], out: Output, dataDir: string): Promise<number> {
  const args = parseArgs(argv, {})
  const [sub, ...extra] = args.positionals
  if (sub !== 'status')
    throw new UsageError(
      sub === undefined
        ? 'dv2g network needs a subcommand: status'
        : `unknown subcommand ${JSON.stringify(sub)}; dv2g network status is the one`
    )
  if (extra.length) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`)
  const status = await askNode(dataDir, 'network.status')
  out.result(status, () =>
    table([
      ['peer id', status.peerId],
      ['network', status.networkId ?? 'none yet'],
      ['listen', status.listen.join(' ')],
      ['peers', String(status.peers)],
      ['transactions', String(status.transactions)],
      ['syncing', status.syncing ? 'yes' : 'no'],
      ['latest milestone', status.latestMilestone === null ? '-' : String(status.latestMilestone)],
      ['state hash', status.stateHash ?? '-']
    ])
  )
  return 0
}
