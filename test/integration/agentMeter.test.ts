// An EV agent with its own meter (docs/market.md, "Delivery"): `dv2g agent --meter PORT` reads a
// simulated DSMR meter through a socat pty pair, takes part in a network run with a grid agent,
// and signs what its meter counted in each slot's delivery window; the operator's node sets that
// against what the EV sold, as `dv2g market delivery` prints it.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { firstSlotsOf, scenarioSchema } from '../../src-shared/market/scenario'
import { callChannel } from '../../src-main/core/owner/channel'
import { readHolder } from '../../src-main/core/owner/lock'
import { Keystore } from '../../src-main/core/wallet/keystore'
import { dv2gBin } from '../support/cli'
import { createTreasuryDataDir, dv2g, dv2gJson, readNodeDatabase, startAgent, startNode, waitFor, type NodeProcess } from '../support/nodes'
import { useTempDirs } from '../support/tempDir'
import { until } from '../support/until'

const tempDir = useTempDirs({ perFile: true })
const PASSPHRASE = 'agent-meter-passphrase'
const withPassphrase = { DV2G_PASSPHRASE: PASSPHRASE }
const SLOT_SECONDS = 6
const scenario = scenarioSchema.parse(JSON.parse(readFileSync(join(__dirname, '../../resources/scenarios/paper-3x10.json'), 'utf8')))

function ask<T>(node: NodeProcess, operation: string, input: unknown): Promise<T> {
  const holder = readHolder(node.dataDir)
  if (!holder) throw new Error(`no process holds ${node.dataDir}`)
  return callChannel(holder, operation, input, () => {}, 30_000) as Promise<T>
}

const processes: ChildProcess[] = []
const nodes: NodeProcess[] = []
afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()))
  for (const p of processes) p.kill('SIGKILL')
})

/** An agent's data dir: a keystore with the participant's wallet (a light key derivation) and its profile; its address. */
function agentDir(id: string, role: 'ev' | 'grid', participant: unknown): { dir: string; profile: string; address: string } {
  const dir = tempDir()
  const keystore = new Keystore(join(dir, 'keystore.json'), { kdf: { N: 1 << 14, r: 8, p: 1 } })
  keystore.unlock(PASSPHRASE)
  const { address } = keystore.create(id, role).wallet
  const profile = join(dir, 'profile.json')
  writeFileSync(profile, JSON.stringify(participant))
  return { dir, profile, address }
}

describe('an EV agent with a meter', () => {
  it(
    "signs what its meter counted in each slot's delivery window, which the operator sets against what it sold",
    { timeout: 240_000 },
    async () => {
      const ports = tempDir()
      const [meterEnd, agentEnd] = [join(ports, 'ttyMeter'), join(ports, 'ttyAgent')]
      processes.push(spawn('socat', [`pty,raw,echo=0,link=${meterEnd}`, `pty,raw,echo=0,link=${agentEnd}`], { stdio: 'ignore' }))
      await until(() => existsSync(meterEnd) && existsSync(agentEnd), 10_000, 'socat')
      // a telegram a second, the meter's clock a second a telegram: its readings are on the wall clock
      processes.push(
        spawn(process.execPath, [dv2gBin, 'meter', 'simulate', '--port', meterEnd, '--protocol', 'dsmr', '--interval', '1'], {
          stdio: 'ignore'
        })
      )

      const operator = await startNode(await createTreasuryDataDir(tempDir(), PASSPHRASE), ['--milestone-seconds', '1'], withPassphrase)
      nodes.push(operator)
      const peer = ['--peer', operator.listen[0]!]
      const ev = agentDir('EV1', 'ev', scenario.evs[0])
      const grid = agentDir('G1', 'grid', scenario.grids[0])
      nodes.push(
        ...(await Promise.all([
          startAgent(ev.dir, ['--role', 'ev', '--wallet', 'EV1', '--profile', ev.profile, '--meter', agentEnd, ...peer], withPassphrase),
          startAgent(grid.dir, ['--role', 'grid', '--wallet', 'G1', '--profile', grid.profile, ...peer], withPassphrase)
        ]))
      )
      await ask(operator, 'market.registerAll', {
        participants: [
          { id: 'EV1', role: 'ev', address: ev.address },
          { id: 'G1', role: 'grid', address: grid.address }
        ],
        passphrase: PASSPHRASE
      })
      await waitFor(
        () => ask<unknown[]>(operator, 'market.participants', {}),
        (list) => list.length === 2,
        60_000,
        'the operator to confirm both registrations'
      )

      const file = join(tempDir(), 'two-slots.json')
      writeFileSync(
        file,
        JSON.stringify(firstSlotsOf({ ...scenario, evs: [scenario.evs[0]!], grids: [scenario.grids[0]!] }, 2, 'paper-1x1-2'))
      )
      const { runId } = await dv2gJson<{ runId: string }>(
        [
          '--data-dir',
          operator.dataDir,
          'market',
          'start',
          '--scenario',
          file,
          '--clock',
          'network',
          '--slot-seconds',
          String(SLOT_SECONDS)
        ],
        withPassphrase
      )

      type Row = { t: number; id: string; soldKWh: number; deliveredKWh: number | null; deviationKWh: number | null; tx: string | null }
      const delivery = async () =>
        JSON.parse((await dv2g(['--data-dir', operator.dataDir, 'market', 'delivery', '--run', runId, '--json'])).stdout) as Row[]
      const rows = await waitFor(
        delivery,
        (r) => r.filter((row) => row.deliveredKWh !== null).length === 2,
        4 * SLOT_SECONDS * 1000 + 60_000,
        "EV1's delivery in both slots"
      )
      for (const row of rows) {
        expect(row.id).toBe('EV1')
        expect(row.tx).toMatch(/^[0-9a-f]{64}$/)
        expect(row.deviationKWh).toBeCloseTo(row.deliveredKWh! - row.soldKWh, 9)
      }
      // the summaries came from the agent's own meter, which its port assigned to EV1
      const meters = readNodeDatabase(ev.dir, (db) => db.prepare('SELECT id, prosumer FROM meters').all())
      expect(meters).toEqual([{ id: expect.any(String), prosumer: 'EV1' }])
      const signed = readNodeDatabase(ev.dir, (db) =>
        db.prepare('SELECT t, tx_id AS tx FROM market_agent_deliveries WHERE run_id = ? ORDER BY t').all(runId)
      )
      expect(signed).toEqual(rows.map((r) => ({ t: r.t - 1, tx: r.tx })))
    }
  )
})
