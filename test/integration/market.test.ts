import Database from 'better-sqlite3'
import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { decodeAddress } from '../../src-main/core/wallet/keys'
import { dv2gBin, runDv2g } from '../support/cli'
import { useTempDirs } from '../support/tempDir'
import { earnedFromTradesCsv } from '../support/tradesCsv'
import { until } from '../support/until'

const tempDir = useTempDirs()
const passphrase = { DV2G_PASSPHRASE: 'integration-test-passphrase' }
const scenarioFile = 'resources/scenarios/paper-3x10.json'

const slot = {
  sellers: [
    { id: 'EV1', supplyKWh: 3, reservePrice: 0.05 },
    { id: 'EV2', supplyKWh: 5, reservePrice: 0.04, initialPrice: 0.2 },
    { id: 'EV3', supplyKWh: 4, reservePrice: 0.06 }
  ],
  buyers: [
    { id: 'G1', xi: 0.3, kappa: 0.01, demandCapKWh: 12 },
    { id: 'G2', xi: 0.25, kappa: 0.02, demandCapKWh: 8 }
  ],
  priceCap: 0.28
}

function writeJson(value: unknown): string {
  const file = join(tempDir(), 'input.json')
  writeFileSync(file, JSON.stringify(value))
  return file
}

describe('dv2g market solve', () => {
  it('solves one slot into the fields of the CLI contract, at one clearing price with Q = S/ΣS', () => {
    const result = runDv2g(['market', 'solve', '--input', writeJson(slot), '--json'])
    expect(result.status, result.stderr).toBe(0)
    const out = JSON.parse(result.stdout)
    expect(Object.keys(out).sort()).toEqual(['baseline', 'buyers', 'clearingPrice', 'converged', 'iterations', 'sellers', 'trades'])
    expect(out.converged).toBe(true)
    expect(Object.keys(out.sellers[0]).sort()).toEqual(['demandKWh', 'id', 'price', 'probability', 'ratio', 'supplyKWh', 'utility'])
    expect(Object.keys(out.trades[0]).sort()).toEqual(['buyer', 'energyKWh', 'paid', 'price', 'seller'])
    expect(Object.keys(out.baseline.sellers[0]).sort()).toEqual(['ask', 'id', 'soldKWh'])
    // demand (0.3 − p)/0.01 + (0.25 − p)/0.02 = 12 gives p = 30.5/150
    expect(out.clearingPrice).toBeCloseTo(30.5 / 150, 9)
    for (const s of out.sellers) expect(s.probability).toBeCloseTo(s.supplyKWh / 12, 9)
    const paid = out.trades.reduce((sum: number, t: { paid: number }) => sum + t.paid, 0)
    expect(paid).toBeCloseTo((30.5 / 150) * 12, 9)
  })

  it('prints a readable table without --json', () => {
    const result = runDv2g(['market', 'solve', '--input', writeJson(slot)])
    expect(result.status).toBe(0)
    expect(result.stdout).toMatch(/clearing price 0\.20333\b/)
    expect(result.stdout).toMatch(/^EV2 +0\.20333 +0\.417/m)
  })

  it('refuses a wrong field with its JSON path, NaN, and a cap below every reserve, exiting 2', () => {
    const wrong = runDv2g(['market', 'solve', '--input', writeJson({ ...slot, buyers: [{ ...slot.buyers[0], kappa: -1 }] })])
    expect(wrong.status).toBe(2)
    expect(wrong.stderr).toMatch(/input\.json: buyers\[0\]\.kappa: must be greater than 0/)
    const file = writeJson(slot)
    writeFileSync(file, readFileSync(file, 'utf8').replace('"supplyKWh":3', '"supplyKWh":NaN'))
    const nan = runDv2g(['market', 'solve', '--input', file, '--json'])
    expect(nan.status).toBe(2)
    expect(JSON.parse(nan.stdout).error).toMatch(/input\.json is not valid JSON/)
    const cap = runDv2g(['market', 'solve', '--input', writeJson({ ...slot, priceCap: 0.01 })])
    expect(cap.status).toBe(2)
    expect(cap.stderr).toMatch(/priceCap: is below every seller's reserve price/)
    expect(runDv2g(['market', 'solve', '--input', '/nonexistent.json']).stderr).toMatch(/cannot read \/nonexistent\.json: ENOENT/)
  })
})

describe('dv2g simulate', () => {
  it('runs the default day: 24 converged slots, results.json, trades.csv and a report with figures 3–11', () => {
    const out = tempDir()
    const result = runDv2g(['simulate', '--scenario', scenarioFile, '--out', out, '--json'])
    expect(result.status, result.stderr).toBe(0)
    const summary = JSON.parse(result.stdout)
    expect(summary.slots).toHaveLength(24)
    expect(summary.slots.every((s: { converged: boolean }) => s.converged)).toBe(true)
    expect(Object.keys(summary.slots[0]).sort()).toEqual([
      'buyers',
      'clearingPrice',
      'converged',
      'iterations',
      'sellers',
      't',
      'tradedKWh'
    ])
    expect(summary.totalTradedKWh).toBeGreaterThan(50)

    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'))
    expect(results.day.totalPaid).toBeCloseTo(summary.totalPaid, 9)
    const csv = readFileSync(join(out, 'trades.csv'), 'utf8').trim().split('\n')
    expect(csv[0]).toBe('slot,hour,buyer,seller,energy_kwh,price_usd_per_kwh,paid_usd')
    const csvEnergy = csv.slice(1).reduce((sum, line) => sum + Number(line.split(',')[4]), 0)
    expect(csvEnergy).toBeCloseTo(summary.totalTradedKWh, 3)

    const report = readFileSync(join(out, 'report.html'), 'utf8')
    for (const fig of [3, 4, 5, 6, 7, 8, 9, 10, 11]) expect(report).toContain(`Fig. ${fig} —`)
    expect(report.match(/<svg /g)!.length).toBe(10)
    expect(report).not.toMatch(/<script/)
    for (const fig of ['fig3', 'fig4', 'fig5', 'fig6', 'fig7', 'fig8', 'fig9', 'fig10-slot', 'fig10-day', 'fig11'])
      expect(readFileSync(join(out, 'figures', `${fig}.svg`), 'utf8')).toMatch(/^<svg /)
  })

  it('names the JSON path of a wrong scenario field and exits 2', () => {
    const scenario = JSON.parse(readFileSync(scenarioFile, 'utf8'))
    scenario.evs[4].battery.dischargeEfficiency = 1.4
    const result = runDv2g(['simulate', '--scenario', writeJson(scenario)])
    expect(result.status).toBe(2)
    expect(result.stderr.trim()).toMatch(
      /^dv2g: .*input\.json: evs\[4\]\.battery\.dischargeEfficiency: must be greater than 0 and at most 1$/
    )
  })

  it('with --settle stores the run in the data dir and records one transfer per grid–EV pair and one market record per slot', () => {
    const dir = tempDir()
    expect(runDv2g(['--data-dir', dir, 'wallet', 'create', '--name', 'treasury', '--role', 'operator'], passphrase).status).toBe(0)
    const scenario = JSON.parse(readFileSync(scenarioFile, 'utf8'))
    scenario.slots = 2
    scenario.priceCap = scenario.priceCap.slice(0, 2)
    for (const p of [...scenario.evs, ...scenario.grids]) {
      p.productionKWh = p.productionKWh.slice(0, 2)
      p.consumptionKWh = p.consumptionKWh.slice(0, 2)
    }
    const out = tempDir()
    const result = runDv2g(
      ['--data-dir', dir, 'simulate', '--scenario', writeJson(scenario), '--settle', '--out', out, '--json'],
      passphrase
    )
    expect(result.status, result.stderr).toBe(0)
    const { settlement, slots, runId } = JSON.parse(result.stdout)
    const dayOut = JSON.parse(runDv2g(['simulate', '--scenario', writeJson(scenario), '--json']).stdout)
    expect(slots).toEqual(dayOut.slots)
    expect(settlement).toEqual({ settled: 2, alreadySettled: 0, failed: [] })
    expect(JSON.parse(runDv2g(['--data-dir', dir, 'market', 'runs', '--json']).stdout)).toEqual([
      { id: runId, scenario: scenario.name, status: 'finished', slots: 2, settledSlots: 2, unsettledSlots: 0, unsettled: [] }
    ])

    const ledger = onLedger(dir)
    expect(ledger.wallets.map((w) => w.name).sort()).toEqual(
      ['treasury', ...[...scenario.evs, ...scenario.grids].map((p: { id: string }) => p.id)].sort()
    )
    // every EV was paid what trades.csv says, to the base unit per grid–EV pair
    const expected = earnedFromTradesCsv(readFileSync(join(out, 'trades.csv'), 'utf8'), scenario.tokenBaseUnitsPerCurrencyUnit)
    expect(ledger.evBalances).toEqual(expected.earned)
    expect(ledger.evTransfersIn).toBe(expected.pairs.length)
    expect(ledger.marketRecords).toBe(2)
    expect(JSON.parse(runDv2g(['--data-dir', dir, 'tangle', 'verify', '--json']).stdout)).toMatchObject({ ok: true })
  }, 300_000)
})

describe('dv2g market runs and settle', () => {
  it('finishes a simulate --settle killed mid-way: every grid–EV pair paid once, as trades.csv says', async () => {
    const dir = tempDir()
    expect(runDv2g(['--data-dir', dir, 'wallet', 'create', '--name', 'treasury', '--role', 'operator'], passphrase).status).toBe(0)
    const out = tempDir()
    const child = spawn(
      process.execPath,
      [dv2gBin, '--data-dir', dir, 'simulate', '--scenario', scenarioFile, '--settle', '--out', out, '--json'],
      {
        env: { ...process.env, ...passphrase }
      }
    )
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const exited = new Promise((resolve) => child.once('exit', resolve))
    try {
      // killed as soon as a first slot with transfers is on the ledger: the rest of the day is not
      await until(() => /^settled slot \d+: [1-9]/m.test(stderr) || child.exitCode !== null, 120_000, 'the first settled slot')
    } finally {
      child.kill('SIGKILL')
    }
    expect(await exited, stderr).toBeNull()
    const runId = /stored run (\S+);/.exec(stderr)![1]!

    const [run] = JSON.parse(runDv2g(['--data-dir', dir, 'market', 'runs', '--json']).stdout)
    expect(run).toMatchObject({ id: runId, scenario: 'paper-3x10', status: 'finished', slots: 24 })
    expect(run.settledSlots).toBeGreaterThanOrEqual(1)
    expect(run.settledSlots).toBeLessThan(24)

    const settled = runDv2g(['--data-dir', dir, 'market', 'settle', '--run', runId, '--json'], passphrase)
    expect(settled.status, settled.stderr).toBe(0)
    expect(JSON.parse(settled.stdout)).toEqual({ settled: 24 - run.settledSlots, alreadySettled: run.settledSlots, failed: [] })
    const again = runDv2g(['--data-dir', dir, 'market', 'settle', '--run', runId], passphrase)
    expect(again.stdout).toMatch(/^settled 0 slots of run \S+; 24 already settled$/m)

    const ledger = onLedger(dir)
    const expected = earnedFromTradesCsv(
      readFileSync(join(out, 'trades.csv'), 'utf8'),
      JSON.parse(readFileSync(scenarioFile, 'utf8')).tokenBaseUnitsPerCurrencyUnit
    )
    expect(ledger.evBalances).toEqual(expected.earned)
    // no pair paid twice: one transfer into an EV per pair that trades.csv lists, no more
    expect(ledger.evTransfersIn).toBe(expected.pairs.length)
    expect(ledger.payments).toEqual(expected.pairs)
    expect(ledger.marketRecords).toBe(24)
    expect(JSON.parse(runDv2g(['--data-dir', dir, 'tangle', 'verify', '--json']).stdout)).toMatchObject({ ok: true })
  }, 300_000)

  it('names an unknown run and a missing --run', () => {
    const dir = tempDir()
    const unknown = runDv2g(['--data-dir', dir, 'market', 'settle', '--run', 'nope'], passphrase)
    // a run id that names nothing is bad input, as a wrong option is
    expect(unknown.status).toBe(2)
    expect(unknown.stderr.trim()).toBe('dv2g: no market run nope')
    expect(runDv2g(['--data-dir', dir, 'market', 'settle'], passphrase).stderr).toMatch(/--run/)
    expect(JSON.parse(runDv2g(['--data-dir', dir, 'market', 'runs', '--json']).stdout)).toEqual([])
  }, 120_000)
})

/** What the data dir's ledger holds, read from its tables: wallets, what EVs hold and how they were paid. */
function onLedger(dir: string) {
  const wallets = JSON.parse(runDv2g(['--data-dir', dir, 'wallet', 'list', '--json'], passphrase).stdout) as {
    name: string
    role: string
    address: string
    balance: string
  }[]
  const evs = wallets.filter((w) => w.role === 'ev')
  const db = new Database(join(dir, 'dv2g.sqlite'), { readonly: true })
  try {
    const outputsTo = db.prepare('SELECT count(*) FROM outputs WHERE address = ?').pluck()
    return {
      wallets,
      evBalances: new Map(evs.filter((w) => BigInt(w.balance) > 0n).map((w) => [w.name, BigInt(w.balance)])),
      evTransfersIn: evs.reduce((sum, w) => sum + (outputsTo.get(decodeAddress(w.address)) as number), 0),
      payments: (db.prepare("SELECT t || '/' || grid || '/' || ev FROM market_payments").pluck().all() as string[]).sort(),
      marketRecords: db.prepare('SELECT count(*) FROM market_records').pluck().get() as number
    }
  } finally {
    db.close()
  }
}
