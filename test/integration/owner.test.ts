// One writer per data dir: with dv2g serve running, other commands' writes go through it.
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { runDv2g, startServe, type ServeProcess } from '../support/cli'
import { useTempDirs } from '../support/tempDir'

const tempDir = useTempDirs()
const passphrase = { DV2G_PASSPHRASE: 'integration-test-passphrase' }
const serving: ServeProcess[] = []
afterEach(async () => {
  await Promise.all(serving.splice(0).map((s) => s.stop()))
})

const json = (args: string[], env = {}) => {
  const result = runDv2g([...args, '--json'], env)
  return { ...result, value: result.stdout ? JSON.parse(result.stdout) : undefined }
}

function dataDirWithWallets(): { dir: string; busAddress: string } {
  const dir = tempDir()
  expect(runDv2g(['--data-dir', dir, 'wallet', 'create', '--name', 'treasury', '--role', 'operator'], passphrase).status).toBe(0)
  const bus = json(['--data-dir', dir, 'wallet', 'create', '--name', 'bus-7', '--role', 'ev'], passphrase)
  expect(bus.status, bus.stderr).toBe(0)
  return { dir, busAddress: bus.value.address }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- contract outputs, checked field by field
type Answer = { status: number; body: { ok: boolean; output?: any; error?: { message: string } } }

/** A contract call on the served console, as its page makes it: a bearer token and JSON. */
function call(server: ServeProcess, method: string, input: unknown = undefined): Promise<Answer> {
  const url = new URL(server.url)
  const token = url.searchParams.get('token')!
  const body = input === undefined ? '' : JSON.stringify(input)
  return new Promise((resolve, reject) => {
    const req = request(
      // a connection per call: a kept-alive one can be closed by the server (5 s idle) while a
      // synchronous dv2g run blocks this process, and the next call on it hangs up (seen under load)
      {
        host: url.hostname,
        port: url.port,
        path: `/api/${method}`,
        method: 'POST',
        agent: false,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }
      },
      (res) => {
        let text = ''
        res.on('data', (chunk: Buffer) => (text += chunk.toString()))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }))
      }
    )
    req.setTimeout(30_000, () => req.destroy(new Error('no answer within 30 s')))
    req.on('error', reject)
    req.end(body)
  })
}

// every step starts a dv2g process: bounded generously for a busy machine
describe('one writer per data dir', { timeout: 240_000 }, () => {
  it('runs wallet send through a running dv2g serve: the console sees it and its own next write succeeds', async () => {
    const { dir, busAddress } = dataDirWithWallets()
    const server = await startServe(dir)
    serving.push(server)
    const lock = JSON.parse(readFileSync(join(dir, 'dv2g.lock'), 'utf8'))
    expect(lock).toMatchObject({ pid: server.child.pid, owner: 'dv2g serve' })
    expect(statSync(join(dir, 'dv2g.lock')).mode & 0o777).toBe(0o600)
    expect(statSync(lock.channel).mode & 0o777).toBe(0o600)

    const sent = json(['--data-dir', dir, 'wallet', 'send', '--from', 'treasury', '--to', busAddress, '--amount', '2500'], passphrase)
    expect(sent.status, sent.stderr).toBe(0)
    expect(sent.stderr).toMatch(/dv2g serve \(PID \d+\) holds this data dir; wallet send runs through it/)
    const shown = await call(server, 'tangle.transaction', { id: sent.value.id })
    expect(shown.status, JSON.stringify(shown.body)).toBe(200)
    expect(shown.body.output.id).toBe(sent.value.id)

    // the served app's own write after the forwarded one: its graph is still the true one
    expect((await call(server, 'wallet.unlock', { passphrase: passphrase.DV2G_PASSPHRASE })).status).toBe(200)
    const own = await call(server, 'wallet.send', { from: 'treasury', to: busAddress, amount: '500' })
    expect(own.status, JSON.stringify(own.body)).toBe(200)
    const wallets = await call(server, 'wallet.list')
    expect(wallets.body.output.wallets.find((w: { name: string }) => w.name === 'bus-7').balance).toBe('3000')

    // read-only commands read beside it; a refused forwarded write keeps its reason and exit 2
    expect(json(['--data-dir', dir, 'wallet', 'balance', 'bus-7']).value).toEqual({ name: 'bus-7', balance: '3000' })
    const tooMuch = runDv2g(['--data-dir', dir, 'wallet', 'send', '--from', 'bus-7', '--to', busAddress, '--amount', '999999'], passphrase)
    expect(tooMuch.status).toBe(2)
    expect(tooMuch.stderr).toMatch(/3000 base units available, 999999 needed/)

    // creating a wallet runs through it too, and the console lists the new one
    const create = runDv2g(['--data-dir', dir, 'wallet', 'create', '--name', 'grid-1', '--role', 'grid'], passphrase)
    expect(create.status, create.stderr).toBe(0)
    expect((await call(server, 'wallet.list')).body.output.wallets.map((w: { name: string }) => w.name)).toContain('grid-1')

    await server.stop()
    expect(existsSync(join(dir, 'dv2g.lock'))).toBe(false)
    expect(json(['--data-dir', dir, 'tangle', 'verify']).value).toMatchObject({ ok: true })
  })

  it('runs tangle spam and a meter log import through the server with their progress', async () => {
    const { dir } = dataDirWithWallets()
    const server = await startServe(dir)
    serving.push(server)
    const spam = json(['--data-dir', dir, 'tangle', 'spam', '--count', '40'])
    expect(spam.status, spam.stderr).toBe(0)
    expect(spam.value).toMatchObject({ issued: 40, accepted: 40 })
    expect(spam.stderr).toMatch(/tangle spam: 40 accepted of 40 issued/)
    const stats = await call(server, 'tangle.stats')
    expect(stats.body.output.transactions).toBe(41) // the genesis and the 40

    // a relative path is the caller's, not the server's
    writeFileSync(join(dir, 'log.csv'), 'meter,time,import,export\nM1,2024-05-01 10:00Z,1.0,0\nM1,2024-05-01 10:15Z,1.5,0\n')
    const imported = runDv2g(['--data-dir', dir, 'import', 'log.csv', '--json'], {}, dir)
    expect(imported.status, imported.stderr).toBe(0)
    expect(imported.stderr).toMatch(/holds this data dir; import runs through it/)
    expect(JSON.parse(imported.stdout).files[0]).toMatchObject({ imported: 2, rejectedCount: 0 })
    const meters = await call(server, 'meter.list')
    expect(meters.body.output.map((m: { id: string }) => m.id)).toEqual(['M1'])
  })

  it('takes over the lock of a killed owner, and refuses a live one that takes no forwarded commands', async () => {
    const { dir, busAddress } = dataDirWithWallets()
    const server = await startServe(dir)
    server.child.kill('SIGKILL')
    await new Promise((resolve) => server.child.once('exit', resolve))
    expect(existsSync(join(dir, 'dv2g.lock'))).toBe(true)
    const sent = runDv2g(['--data-dir', dir, 'wallet', 'send', '--from', 'treasury', '--to', busAddress, '--amount', '1'], passphrase)
    expect(sent.status, sent.stderr).toBe(0)
    expect(existsSync(join(dir, 'dv2g.lock'))).toBe(false)

    // a live process holding the lock without a channel: a CLI writer in the middle of its work
    const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })
    try {
      writeFileSync(
        join(dir, 'dv2g.lock'),
        JSON.stringify({ pid: holder.pid, owner: 'dv2g tangle spam', startedAt: new Date().toISOString(), channel: null, token: 'x' }),
        { mode: 0o600 }
      )
      const refused = runDv2g(['--data-dir', dir, 'wallet', 'send', '--from', 'treasury', '--to', busAddress, '--amount', '1'], passphrase)
      expect(refused.status).toBe(3)
      expect(refused.stderr).toMatch(new RegExp(`in use by dv2g tangle spam \\(PID ${holder.pid}\\): it takes no forwarded commands`))
    } finally {
      holder.kill('SIGKILL')
    }
  })
})
