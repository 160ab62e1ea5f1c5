import { open } from '../../core/app'
import { AddressError, parseAddress, peerIdOf } from '../../core/network/address'
import { PeerKeyError } from '../../core/network/identity'
import { NetworkNode } from '../../core/network/service'
import { attachNetwork } from '../../core/network/view'
import type { RunningChannel } from '../../core/owner/channel'
import { ownDataDir, serveOperations } from '../../core/owner/owner'
import { parseArgs, UsageError } from '../args'
import type { Output } from '../output'

export const DEFAULT_LISTEN = '/ip4/127.0.0.1/tcp/4781'

export const nodeUsage = `dv2g node [--listen MULTIADDR]... [--peer MULTIADDR]... [--mdns]
  Runs this data dir as a headless node of the tangle network until SIGINT or SIGTERM.
  --listen  where peers reach this node (default ${DEFAULT_LISTEN}; /ip4/0.0.0.0/tcp/4781 takes
            peers from other machines; tcp/0 picks a free port). Repeatable.
  --peer    a bootstrap peer as the node prints it, with its /p2p/ id; kept connected. Repeatable.
            A data dir with no tangle yet joins its first peer's network (it takes that genesis).
  --mdns    finds peers on the local network by multicast DNS (a LAN microgrid).
  Prints the peer id and listen addresses. dv2g peers and dv2g network status ask it while it runs.`

/** Takes every --name VALUE (or --name=VALUE) out of argv: the option parser allows each option once. */
function takeRepeated(argv: readonly string[], name: string): { values: string[]; rest: string[] } {
  const values: string[] = []
  const rest: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === `--${name}`) {
      const value = argv[i + 1]
      if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`)
      values.push(value)
      i++
    } else if (arg.startsWith(`--${name}=`)) values.push(arg.slice(name.length + 3))
    else rest.push(arg)
  }
  return { values, rest }
}

export async function runNode(argv: readonly string[], out: Output, dataDir: string): Promise<number> {
  const listenArgs = takeRepeated(argv, 'listen')
  const peerArgs = takeRepeated(listenArgs.rest, 'peer')
  const args = parseArgs(peerArgs.rest, { mdns: { value: false } })
  if (args.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`)
  const listen = listenArgs.values.length ? listenArgs.values : [DEFAULT_LISTEN]
  try {
    for (const address of listen) parseAddress(address, '--listen')
    for (const address of peerArgs.values) {
      if (!peerIdOf(parseAddress(address, '--peer'))) throw new UsageError(`--peer ${address} needs the peer's id at the end (/p2p/12D3Koo...), as dv2g node prints it`)
    }
  } catch (error) {
    if (error instanceof AddressError) throw new UsageError(error.message)
    throw error
  }

  // the data dir is this process's until it stops: other commands' writes come through its channel
  const lock = ownDataDir(dataDir, 'dv2g node')
  const app = open(dataDir, { transport: 'serve' })
  let channel: RunningChannel | undefined
  let network: NetworkNode | undefined
  let detach = () => {}
  const shutDown = async () => {
    detach()
    await network?.stop()
    await channel?.close()
    app.close()
    lock.release()
  }
  try {
    channel = await serveOperations(lock, app)
    app.startLive()
    network = await NetworkNode.start({ dataDir: app.dataDir, ledger: app.ledger().ledger, db: app.db, listen, peers: peerArgs.values, mdns: args.options.has('mdns'), log: out.note })
    detach = attachNetwork(app, network)
  } catch (error) {
    await shutDown()
    if (error instanceof PeerKeyError) throw new UsageError(error.message)
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new UsageError(`a --listen address is in use (${listen.join(', ')}); tcp/0 picks a free port`)
    throw error
  }
  const running = network
  const status = running.status()
  out.result({ peerId: status.peerId, networkId: status.networkId, listen: status.listen, dataDir: app.dataDir }, () =>
    [
      `dv2g node ${status.peerId}`,
      `network: ${status.networkId ?? 'none yet (joins its first peer\'s)'}`,
      ...status.listen.map((address) => `listening on ${address}`),
      `data dir: ${app.dataDir}`,
      'Ctrl+C stops the node.'
    ].join('\n')
  )
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve())
    process.once('SIGTERM', () => resolve())
  })
  await shutDown()
  return 0
}
