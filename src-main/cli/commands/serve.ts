import { isLoopbackHost } from '../../server/auth'
import { InsecureBindError, startServer } from '../../server/server'
import { readTlsIdentity, TlsFileError, type TlsIdentity } from '../../server/tls'
import { numberOption, parseArgs, stringOption, UsageError } from '../args'
import { keepHeapCompact } from '../compactHeap'
import { composeNode } from '../../core/node/composeNode'
import { MILESTONE_OPTION, milestoneIntervalMs, milestoneIssuing } from '../milestoneIssuer'
import { OCPP_OPTIONS, ocppListenUsage, ocppSettingsOf } from '../ocppArgs'
import { DEFAULT_LISTEN, pinnedNetworkOf, takeNetworkArgs, wantsNetwork } from '../networkArgs'
import { untilStopped } from '../untilStopped'
import type { Output } from '../output'
import { ensureRendererBuilt } from '../rendererBuild'

export const DEFAULT_PORT = 4780

export const serveUsage = `dv2g serve [--port N] [--host H] [--tls-cert FILE --tls-key FILE] [--listen MULTIADDR]... [--peer MULTIADDR]... [--mdns] [--milestone-seconds S] [--ocpp-listen HOST:PORT ...]
  The console in any browser. Binds 127.0.0.1 by default; the printed URL carries this run's token,
  which the page keeps in the tab and sends itself (never as a cookie).
  --port 0 picks any free port.
  --host other than loopback (127.0.0.1, ::1, localhost) needs --tls-cert and --tls-key (PEM):
  the console is then served over HTTPS and WSS.
  --listen, --peer, --mdns  also run this data dir as a node of the tangle network, as dv2g node does
  (--listen defaults to ${DEFAULT_LISTEN} once any of them is given); the console's Network view shows it.
  Without them, the node runs when Settings (Network) turns networking on for this data dir.
  --milestone-seconds  with the network on, issues milestones as dv2g node does (the operator's data dir,
  passphrase asked at start); without it, how often the console issues milestones while its keystore
  is unlocked and holds the issuer wallet (default 5).
${ocppListenUsage}
            Without it, the central system runs when Settings (OCPP) turns it on for this data dir.`

export async function runServe(argv: readonly string[], out: Output, dataDir: string): Promise<number> {
  const networkArgs = takeNetworkArgs(argv)
  const args = parseArgs(networkArgs.rest, {
    port: { value: true },
    host: { value: true },
    'tls-cert': { value: true },
    'tls-key': { value: true },
    [MILESTONE_OPTION]: { value: true },
    ...OCPP_OPTIONS
  })
  if (args.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`)
  const port = numberOption(args, 'port') ?? DEFAULT_PORT
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a whole number from 0 to 65535`)
  const host = stringOption(args, 'host') ?? '127.0.0.1'
  const tls = tlsOptions(stringOption(args, 'tls-cert'), stringOption(args, 'tls-key'), host)
  const milestoneMs = milestoneIntervalMs(args)
  // without --ocpp-listen, the central system Settings turns on
  const ocpp = ocppSettingsOf(args) ?? 'settings'
  keepHeapCompact()

  const rendererDir = ensureRendererBuilt(out.note)
  const running = await composeNode(dataDir, {
    owner: 'dv2g serve',
    // without a network, the interval is that of the milestones the console issues while unlocked
    ...(wantsNetwork(networkArgs)
      ? { network: pinnedNetworkOf(networkArgs, milestoneIssuing(milestoneMs)) }
      : { networkFromSettings: true, ...(milestoneMs === undefined ? {} : { localMilestoneMs: milestoneMs }) }),
    ocpp,
    log: out.note
  })
  const { app, shutDown } = running
  let server
  try {
    server = await startServer({ app, rendererDir, host, port, tls })
  } catch (error) {
    await shutDown()
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new UsageError(`port ${port} on ${host} is in use; pass --port 0 for any free port`)
    }
    throw error
  }
  if (!isLoopbackHost(host)) {
    out.note(`dv2g: serving on ${host} over TLS, reachable from other machines; the token is the guard, keep the URL private`)
  }
  const node = running.network()?.status()
  const endpoint = running.ocppEndpoint()
  out.result(
    {
      url: server.url,
      port: server.port,
      token: server.token,
      dataDir: app.dataDir,
      ...(node ? { peerId: node.peerId, networkId: node.networkId, listen: node.listen } : {}),
      ...(endpoint ? { ocpp: endpoint } : {})
    },
    () =>
      [
        `DV2G Operator console: ${server.url}`,
        `data dir: ${app.dataDir}`,
        ...(node ? [`network node ${node.peerId}`, ...node.listen.map((address) => `listening on ${address}`)] : []),
        ...(endpoint ? [`OCPP central system: ${endpoint}{chargerId}`] : []),
        'Ctrl+C stops the server.'
      ].join('\n')
  )

  await untilStopped()
  await server.close()
  await shutDown()
  return 0
}

/** Both files or neither; without them only loopback may be served. Checked before anything starts. */
function tlsOptions(certFile: string | undefined, keyFile: string | undefined, host: string): TlsIdentity | undefined {
  if ((certFile === undefined) !== (keyFile === undefined))
    throw new UsageError('--tls-cert and --tls-key go together: give both files or neither')
  if (certFile === undefined || keyFile === undefined) {
    if (!isLoopbackHost(host)) throw new UsageError(new InsecureBindError(host).message)
    return undefined
  }
  try {
    return readTlsIdentity(certFile, keyFile)
  } catch (error) {
    if (error instanceof TlsFileError) throw new UsageError(error.message)
    throw error
  }
}
