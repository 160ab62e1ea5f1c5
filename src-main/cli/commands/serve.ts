import { open } from '../../core/app'
import type { RunningChannel } from '../../core/owner/channel'
import { ownDataDir, serveOperations } from '../../core/owner/owner'
import { isLoopbackHost } from '../../server/auth'
import { InsecureBindError, startServer } from '../../server/server'
import { readTlsIdentity, TlsFileError, type TlsIdentity } from '../../server/tls'
import { numberOption, parseArgs, stringOption, UsageError } from '../args'
import type { Output } from '../output'
import { ensureRendererBuilt } from '../rendererBuild'

export const DEFAULT_PORT = 4780

export const serveUsage = `dv2g serve [--port N] [--host H] [--tls-cert FILE --tls-key FILE]
  The console in any browser. Binds 127.0.0.1 by default; the printed URL carries this run's token,
  which the page keeps in the tab and sends itself (never as a cookie).
  --port 0 picks any free port.
  --host other than loopback (127.0.0.1, ::1, localhost) needs --tls-cert and --tls-key (PEM):
  the console is then served over HTTPS and WSS.`

export async function runServe(argv: readonly string[], out: Output, dataDir: string): Promise<number> {
  const args = parseArgs(argv, { port: { value: true }, host: { value: true }, 'tls-cert': { value: true }, 'tls-key': { value: true } })
  if (args.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`)
  const port = numberOption(args, 'port') ?? DEFAULT_PORT
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a whole number from 0 to 65535`)
  const host = stringOption(args, 'host') ?? '127.0.0.1'
  const tls = tlsOptions(stringOption(args, 'tls-cert'), stringOption(args, 'tls-key'), host)

  const rendererDir = ensureRendererBuilt(out.note)
  // the data dir is this process's until it stops: other commands' writes come through its channel
  const lock = ownDataDir(dataDir, 'dv2g serve')
  const app = open(dataDir, { transport: 'serve' })
  let channel: RunningChannel | undefined
  const shutDown = async () => {
    await channel?.close()
    app.close()
    lock.release()
  }
  let server
  try {
    channel = await serveOperations(lock, app)
    app.startLive()
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
  out.result({ url: server.url, port: server.port, token: server.token, dataDir: app.dataDir }, () =>
    [`DV2G Operator console: ${server.url}`, `data dir: ${app.dataDir}`, 'Ctrl+C stops the server.'].join('\n')
  )

  const running = server
  await new Promise<void>((resolve) => {
    const stop = () => resolve()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  await running.close()
  await shutDown()
  return 0
}

/** Both files or neither; without them only loopback may be served. Checked before anything starts. */
function tlsOptions(certFile: string | undefined, keyFile: string | undefined, host: string): TlsIdentity | undefined {
  if ((certFile === undefined) !== (keyFile === undefined)) throw new UsageError('--tls-cert and --tls-key go together: give both files or neither')
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
