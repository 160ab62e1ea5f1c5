// A data dir composed as a node: it answers through the dispatcher, the network and OCPP it runs
// are the app's own fields, and shutDown, or a start that fails midway, leaves the data dir free.
import { createServer, type Server } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createDispatcher } from '../../../../../src-main/core/api'
import { composeNode, type RunningNode } from '../../../../../src-main/core/node/composeNode'
import { DataDirHeldError } from '../../../../../src-main/core/owner/lock'
import { useTempDirs } from '../../../../support/tempDir'

const tempDir = useTempDirs()
const running: RunningNode[] = []
const servers: Server[] = []
afterEach(async () => {
  for (const node of running.splice(0)) await node.shutDown()
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve))
})

async function compose(dir: string, options: Partial<Parameters<typeof composeNode>[1]> = {}): Promise<RunningNode> {
  const node = await composeNode(dir, { owner: 'test', log: () => {}, ...options })
  running.push(node)
  return node
}

async function takenPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  servers.push(server)
  await new Promise((resolve) => server.once('listening', resolve))
  return (server.address() as { port: number }).port
}

describe('a composed node', () => {
  it('with the network and OCPP off, answers app.info and releases the data dir on shutDown', async () => {
    const dir = tempDir()
    const first = await compose(dir)
    const call = createDispatcher(first.app)
    expect(await call('app.info', {})).toMatchObject({ dataDir: first.app.dataDir, transport: 'serve' })
    expect(await call('network.status', {})).toEqual({ running: false })
    expect(first.network()).toBeUndefined()
    expect(first.ocppEndpoint()).toBeNull()
    await expect(compose(dir)).rejects.toBeInstanceOf(DataDirHeldError)

    await first.shutDown()
    expect(first.app.db.open).toBe(false)
    const second = await compose(dir)
    expect(await createDispatcher(second.app)('app.info', {})).toMatchObject({ dataDir: second.app.dataDir })
  })

  it('keeps the switches it runs on the app, where the handlers find them, and clears them on shutDown', async () => {
    const node = await compose(tempDir(), { networkFromSettings: true, ocpp: { listen: '127.0.0.1:0', tls: null } })
    const call = createDispatcher(node.app)
    expect(node.app.running.network).toBeDefined()
    expect(await call('network.settings', {})).toMatchObject({ editable: true, running: false })
    expect(node.ocppEndpoint()).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/ocpp\/$/)
    expect(await call('ocpp.settings', {})).toMatchObject({ editable: false, endpoint: node.ocppEndpoint() })

    await node.shutDown()
    expect(node.app.running).toEqual({ network: undefined, ocpp: undefined })
  })

  it('that fails midway (a taken OCPP port) releases everything it started', async () => {
    const dir = tempDir()
    const port = await takenPort()
    await expect(compose(dir, { ocpp: { listen: `127.0.0.1:${port}`, tls: null } })).rejects.toThrow(
      `--ocpp-listen 127.0.0.1:${port}: 127.0.0.1:${port} is in use`
    )
    const again = await compose(dir)
    expect(again.app.running).toEqual({ network: undefined, ocpp: undefined })
  })
})
