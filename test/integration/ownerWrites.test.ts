// Writes that run through the process holding the data dir: the command that asks for them
// reports what the owner did, and the owner's own views show it.
import { readFileSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { request } from 'node:http'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { runDv2g, startServe, type ServeProcess } from '../support/cli'
import { useTempDirs } from '../support/tempDir'
import { waitFor } from '../support/until'

const tempDir = useTempDirs()
const passphrase = { DV2G_PASSPHRASE: 'integration-test-passphrase' }
const serving: ServeProcess[] = []
const listening: Server[] = []
afterEach(async () => {
  await Promise.all(serving.splice(0).map((s) => s.stop()))
  await Promise.all(listening.splice(0).map((s) => new Promise((resolve) => s.close(resolve))))
})

const json = (args: string[], env = {}) => {
  const result = runDv2g([...args, '--json'], env)
  let value
  try {
    value = result.stdout ? JSON.parse(result.stdout) : undefined
  } catch {
    value = undefined
  }
  return { ...result, value }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- contract outputs, checked field by field
type Answer = { status: number; body: { ok: boolean; output?: any; error?: { message: string } } }

function call(server: ServeProcess, method: string, input: unknown = undefined): Promise<Answer> {
  const url = new URL(server.url)
  const body = input === undefined ? '' : JSON.stringify(input)
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: `/api/${method}`,
        method: 'POST',
        agent: false,
        headers: {
          authorization: `Bearer ${url.searchParams.get('token')}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body)
        }
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

const walletNames = async (server: ServeProcess) =>
  ((await call(server, 'wallet.list')).body.output.wallets as { name: string }[]).map((w) => w.name).sort()

/** The paper's scenario cut to its first slots: quick to settle. */
function shortScenario(slots = 2): string {
  const scenario = JSON.parse(readFileSync('resources/scenarios/paper-3x10.json', 'utf8'))
  scenario.name = `paper-${slots}-slots`
  scenario.slots = slots
  scenario.priceCap = scenario.priceCap.slice(0, slots)
  for (const p of [...scenario.evs, ...scenario.grids]) {
    p.productionKWh = p.productionKWh.slice(0, slots)
    p.consumptionKWh = p.consumptionKWh.slice(0, slots)
  }
  const file = join(tempDir(), 'scenario.json')
  writeFileSync(file, JSON.stringify(scenario))
  return file
}

describe('writes through a running dv2g serve', { timeout: 300_000 }, () => {
  it('creates wallets through it, the treasury first: its wallet list shows them', async () => {
    const dir = tempDir()
    const server = await startServe(dir)
    serving.push(server)
    const treasury = json(['--data-dir', dir, 'wallet', 'create', '--name', 'treasury', '--role', 'operator'], passphrase)
    expect(treasury.status, treasury.stderr).toBe(0)
    expect(treasury.stderr).toMatch(/dv2g serve \(PID \d+\) holds this data dir; wallet create runs through it/)
    expect(treasury.value).toMatchObject({ name: 'treasury', role: 'operator', treasury: true })
    expect(treasury.value.mnemonic.split(' ')).toHaveLength(24)

    const grid = json(['--data-dir', dir, 'wallet', 'create', '--name', 'grid-1', '--role', 'grid'], passphrase)
    expect(grid.status, grid.stderr).toBe(0)
    expect(await walletNames(server)).toEqual(['grid-1', 'treasury'])
    // the served keystore was locked before and is locked after
    expect((await call(server, 'wallet.list')).body.output.unlocked).toBe(false)

    const wrong = runDv2g(['--data-dir', dir, 'wallet', 'create', '--name', 'grid-2', '--role', 'grid'], {
      DV2G_PASSPHRASE: 'not-the-passphrase'
    })
    expect(wrong.status).toBe(2)
    expect(wrong.stderr).toMatch(/wrong passphrase/)
    expect(await walletNames(server)).toEqual(['grid-1', 'treasury'])
  })

  it("settles a simulated day through it: the run and the participants' wallets are in the served app", async () => {
    const dir = tempDir()
    expect(runDv2g(['--data-dir', dir, 'wallet', 'create', '--name', 'treasury', '--role', 'operator'], passphrase).status).toBe(0)
    const server = await startServe(dir)
    serving.push(server)
    const scenario = shortScenario()
    const result = json(['--data-dir', dir, 'simulate', '--scenario', scenario, '--settle'], passphrase)
    expect(result.status, result.stderr).toBe(0)
    expect(result.stderr).toMatch(/holds this data dir; simulate --settle runs through it/)
    expect(result.value.settlement).toEqual({ settled: 2, alreadySettled: 0, failed: [] })
    const runs = (await call(server, 'market.runs')).body.output as { id: string; settledSlots: number }[]
    expect(runs.map((r) => [r.id, r.settledSlots])).toEqual([[result.value.runId, 2]])
    const participants = JSON.parse(readFileSync(scenario, 'utf8'))
    expect(await walletNames(server)).toEqual(
      ['treasury', ...[...participants.evs, ...participants.grids].map((p: { id: string }) => p.id)].sort()
    )
  })
})

describe('an import through a running dv2g serve whose rejections are huge', { timeout: 300_000 }, () => {
  it('reports the import it committed, with its counts and the first reasons', async () => {
    const dir = tempDir()
    const server = await startServe(dir)
    serving.push(server)
    // every bad line is a cell of NULs quoted in its reason: listed in full, they took over the
    // channel's line limit, and the CLI said the data dir was in use
    const badLines = 120
    const file = join(tempDir(), 'nul.csv')
    writeFileSync(
      file,
      [
        'meter,time,import,export',
        'M1,2024-05-01 10:00Z,1.0,0',
        ...Array.from({ length: badLines }, () => `M1,${'\0'.repeat(60_000)},1,0`),
        'M1,2024-05-01 10:15Z,1.5,0',
        ''
      ].join('\n')
    )

    const imported = json(['--data-dir', dir, 'import', file])
    expect(imported.status, imported.stderr.slice(0, 2000)).toBe(0)
    expect(imported.value.files[0]).toMatchObject({ imported: 2, rejectedCount: badLines })
    expect(imported.value.files[0].rejected.length).toBeLessThan(badLines)
    expect(imported.value.files[0].rejected[0].line).toBe(3)
    expect(Buffer.byteLength(imported.stdout)).toBeLessThan(1 << 20)
    const human = runDv2g(['--data-dir', dir, 'import', file])
    expect(human.status, human.stderr.slice(0, 2000)).toBe(0)
    expect(human.stdout).toMatch(new RegExp(`0 imported, 2 already stored, 0 counter resets, 0 gaps, ${badLines} rejected`))
    const meters = await call(server, 'meter.list')
    expect(meters.body.output.map((m: { id: string; readings: number }) => [m.id, m.readings])).toEqual([['M1', 2]])
  })
})

type RunRow = {
  id: string
  status: string
  slots: number
  settledSlots: number
  unsettledSlots: number
  unsettled: { t: number; error: string }[]
}

describe('a market run with --settle started through a running dv2g serve', { timeout: 300_000 }, () => {
  it('settles every slot it clears, long after the start call returned', async () => {
    const dir = tempDir()
    expect(runDv2g(['--data-dir', dir, 'wallet', 'create', '--name', 'treasury', '--role', 'operator'], passphrase).status).toBe(0)
    const server = await startServe(dir)
    serving.push(server)
    const started = json(
      ['--data-dir', dir, 'market', 'start', '--scenario', shortScenario(3), '--clock', 'accelerated', '--slot-seconds', '0.5', '--settle'],
      passphrase
    )
    expect(started.status, started.stderr).toBe(0)
    const runId = started.value.runId as string
    const finished = await waitFor(
      async () =>
        (
          (await call(server, 'market.runs')).body.output as {
            id: string
            status: string
            settledSlots: number
            solvedSlots: number
            unconvergedSlots: number
          }[]
        ).find((r) => r.id === runId)!,
      (r) => r.status === 'finished',
      120_000,
      'the run to finish'
    )
    expect(finished.settledSlots).toBe(finished.solvedSlots - finished.unconvergedSlots)
    expect(finished.settledSlots).toBeGreaterThan(0)
    const runs = json(['--data-dir', dir, 'market', 'runs'])
    expect(runs.value.find((r: RunRow) => r.id === runId)).toMatchObject({
      settledSlots: finished.settledSlots,
      unsettledSlots: 0,
      unsettled: []
    })
    // the keystore was locked before the run and is locked again once it ended
    expect((await call(server, 'wallet.list')).body.output.unlocked).toBe(false)
  })

  it('shows the slots it could not settle as such: the operator locked the keystore mid-run', async () => {
    const dir = tempDir()
    expect(runDv2g(['--data-dir', dir, 'wallet', 'create', '--name', 'treasury', '--role', 'operator'], passphrase).status).toBe(0)
    const server = await startServe(dir)
    serving.push(server)
    const started = json(
      ['--data-dir', dir, 'market', 'start', '--scenario', shortScenario(4), '--clock', 'accelerated', '--slot-seconds', '1.5', '--settle'],
      passphrase
    )
    expect(started.status, started.stderr).toBe(0)
    const runId = started.value.runId as string
    const runOf = async () =>
      ((await call(server, 'market.runs')).body.output as { id: string; status: string; settledSlots: number }[]).find(
        (r) => r.id === runId
      )!
    await waitFor(runOf, (r) => r.settledSlots >= 1, 120_000, 'the first settled slot')
    expect((await call(server, 'wallet.lock')).status).toBe(200)
    await waitFor(runOf, (r) => r.status === 'finished', 120_000, 'the run to finish')

    const listed = json(['--data-dir', dir, 'market', 'runs'])
    const row = listed.value.find((r: RunRow) => r.id === runId) as RunRow
    expect(row.unsettledSlots).toBeGreaterThan(0)
    expect(row.unsettled).toHaveLength(row.unsettledSlots)
    for (const slot of row.unsettled) expect(slot.error).toMatch(/the keystore is locked/)
    const table = runDv2g(['--data-dir', dir, 'market', 'runs'])
    expect(table.stdout).toMatch(new RegExp(`run ${runId}: ${row.unsettledSlots} slots? NOT settled`))
  })
})

describe('a node whose listen port is taken', { timeout: 120_000 }, () => {
  it('says which port in one line and exits non-zero', async () => {
    const taken = createServer()
    listening.push(taken)
    const port = await new Promise<number>((resolve) =>
      taken.listen(0, '127.0.0.1', () => resolve((taken.address() as { port: number }).port))
    )
    const result = runDv2g(['--data-dir', tempDir(), 'node', '--listen', `/ip4/127.0.0.1/tcp/${port}`])
    expect(result.status).not.toBe(0)
    expect(result.stderr.trim()).toBe(`dv2g: port ${port} is in use; pass --listen /ip4/127.0.0.1/tcp/0 for any free port`)
  })
})
