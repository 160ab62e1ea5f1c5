import { open } from '../../core/app'
import { startServer } from '../../server/server'
import { numberOption, parseArgs, stringOption, UsageError } from '../args'
import type { Output } from '../output'
import { ensureRendererBuilt } from '../rendererBuild'

export const DEFAULT_PORT = 4780

export const serveUsage = `dv2g serve [--port N] [--host H]
  The console in any browser. Binds 127.0.0.1 by default; the printed URL carries this run's token.
  --port 0 picks any free port.`

export async function runServe(argv: readonly string[], out: Output, dataDir: string): Promise<number> {
  const args = parseArgs(argv, { port: { value: true }, host: { value: true } })
  if (args.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`)
  const port = numberOption(args, 'port') ?? DEFAULT_PORT
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a whole number from 0 to 65535`)
  const host = stringOption(args, 'host') ?? '127.0.0.1'

  const rendererDir = ensureRendererBuilt(out.note)
  const app = open(dataDir, { transport: 'serve' })
  app.startLive()
  let server
  try {
    server = await startServer({ app, rendererDir, host, port })
  } catch (error) {
    app.close()
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new UsageError(`port ${port} on ${host} is in use; pass --port 0 for any free port`)
    }
    throw error
  }
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') {
    out.note(`dv2g: warning: serving on ${host}, reachable from other machines; the token is the only guard`)
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
  app.close()
  return 0
}
