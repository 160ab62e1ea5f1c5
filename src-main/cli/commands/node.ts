import { parseArgs, UsageError } from '../args'
import { keepHeapCompact } from '../compactHeap'
import { DEFAULT_LISTEN, pinnedNetworkOf, takeNetworkArgs } from '../networkArgs'
import { composeNode } from '../../core/node/composeNode'
import { MILESTONE_OPTION, milestoneIntervalMs, milestoneIssuing } from '../milestoneIssuer'
import { OCPP_OPTIONS, ocppListenUsage, ocppSettingsOf } from '../ocppArgs'
import { untilStopped } from '../untilStopped'
import type { Output } from '../output'

export const nodeUsage = `dv2g node [--listen MULTIADDR]... [--peer MULTIADDR]... [--mdns] [--milestone-seconds S] [--ocpp-listen HOST:PORT [--ocpp-tls-cert FILE --ocpp-tls-key FILE]]
  Runs this data dir as a headless node of the tangle network until SIGINT or SIGTERM.
  --listen  where peers reach this node (default ${DEFAULT_LISTEN}; /ip4/0.0.0.0/tcp/4781 takes
            peers from other machines; tcp/0 picks a free port). Repeatable.
  --peer    a bootstrap peer as the node prints it, with its /p2p/ id; kept connected. Repeatable.
            A data dir with no tangle yet joins its first peer's network (it takes that genesis).
  --mdns    finds peers on the local network by multicast DNS (a LAN microgrid).
  --milestone-seconds  issues a milestone every S seconds approving the current tips, signed by the
            milestone issuer the genesis names (the operator wallet; passphrase from DV2G_PASSPHRASE
            or a prompt). Only the operator's data dir holds that key. An interval with nothing new
            issues none.
${ocppListenUsage}
  Prints the peer id and listen addresses. dv2g peers and dv2g network status ask it while it runs.`

export async function runNode(argv: readonly string[], out: Output, dataDir: string): Promise<number> {
  const networkArgs = takeNetworkArgs(argv)
  const args = parseArgs(networkArgs.rest, { [MILESTONE_OPTION]: { value: true }, ...OCPP_OPTIONS })
  if (args.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`)
  const milestoneMs = milestoneIntervalMs(args)
  const ocpp = ocppSettingsOf(args)
  keepHeapCompact()

  const { app, network, ocppEndpoint, shutDown } = await composeNode(dataDir, {
    owner: 'dv2g node',
    network: pinnedNetworkOf(networkArgs, milestoneIssuing(milestoneMs)),
    ocpp,
    log: out.note
  })
  const status = network()!.status()
  const endpoint = ocppEndpoint()
  out.result(
    {
      peerId: status.peerId,
      networkId: status.networkId,
      listen: status.listen,
      dataDir: app.dataDir,
      ...(endpoint ? { ocpp: endpoint } : {})
    },
    () =>
      [
        `dv2g node ${status.peerId}`,
        `network: ${status.networkId ?? "none yet (joins its first peer's)"}`,
        ...status.listen.map((address) => `listening on ${address}`),
        ...(endpoint ? [`OCPP central system: ${endpoint}{chargerId}`] : []),
        `data dir: ${app.dataDir}`,
        'Ctrl+C stops the node.'
      ].join('\n')
  )
  await untilStopped()
  await shutDown()
  return 0
}
