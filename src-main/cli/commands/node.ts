import { open } from '../../core/app'
import { NetworkNode } from '../../core/network/service'
import { attachNetwork } from '../../core/network/view'
import type { RunningChannel } from '../../core/owner/channel'
import { ownDataDir, serveOperations } from '../../core/owner/owner'
import { parseArgs, UsageError } from '../args'
import { DEFAULT_LISTEN, listenAddresses, networkStartError, takeNetworkArgs } from '../networkArgs'
import type { Output } from '../output'

export const nodeUsage = `dv2g node [--listen MULTIADDR]... [--peer MULTIADDR]... [--mdns]
  Runs this data dir as a headless node of the tangle network until SIGINT or SIGTERM.
  --listen  where peers reach this node (default ${DEFAULT_LISTEN}; /ip4/0.0.0.0/tcp/4781 takes
            peers from other machines; tcp/0 picks a free port). Repeatable.
  --peer    a bootstrap peer as the node prints it, with its /p2p/ id; kept connected. Repeatable.
            A data dir with no tangle yet joins its first peer's network (it takes that genesis).
  --mdns    finds peers on the local network by multicast DNS (a LAN microgrid).
  Prints the peer id and listen addresses. dv2g peers and dv2g network status ask it while it runs.`

export async function runNode(argv: readonly string[], out: Output, dataDir: string): Promise<number> {
  const networkArgs = takeNetworkArgs(argv)
  const args = parseArgs(networkArgs.rest, {})
  if (args.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`)
  const listen = listenAddresses(networkArgs)

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
    network = await NetworkNode.start({ dataDir: app.dataDir, ledger: app.ledger().ledger, db: app.db, listen, peers: networkArgs.peers, mdns: networkArgs.mdns, log: out.note })
    detach = attachNetwork(app, network)
  } catch (error) {
    await shutDown()
    throw networkStartError(error, listen)
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
