// dv2g bench network as a user runs it: a small network of real `dv2g node` processes on
// 127.0.0.1 (two nodes, the short --quick steps), every figure of its JSON printed, and
// the figures consistent with each other. How fast this machine is decides the values, not the test.
import { describe, expect, it } from 'vitest'
import { dv2g } from '../support/nodes'

const FIGURES = [
  'nodes',
  'singleNodeIngestTxPerSecond',
  'networkTxPerSecond',
  'capacityUse',
  'propagationP50Ms',
  'propagationP99Ms',
  'syncTxPerSecond',
  'syncToIngest',
  'convergeAfterHealSeconds',
  'rssMBPerNode'
]

describe('dv2g bench network', () => {
  it('measures a two-node network and prints exactly its figures, finite and positive', async () => {
    const started = Date.now()
    const result = await dv2g(['bench', 'network', '--nodes', '2', '--quick', '--json'], {}, 170_000)
    expect(result.status, result.stderr).toBe(0)
    const figures = JSON.parse(result.stdout) as Record<string, number>

    expect(Object.keys(figures).sort()).toEqual([...FIGURES].sort())
    for (const key of FIGURES) expect(Number.isFinite(figures[key]) && figures[key]! > 0, `${key} = ${figures[key]}`).toBe(true)
    expect(figures.nodes).toBe(2)
    // the ratios are of figures measured in this run
    expect(figures.capacityUse).toBeCloseTo((2 * figures.networkTxPerSecond!) / figures.singleNodeIngestTxPerSecond!, 9)
    expect(figures.syncToIngest).toBeCloseTo(figures.syncTxPerSecond! / figures.singleNodeIngestTxPerSecond!, 9)
    expect(figures.propagationP99Ms).toBeGreaterThanOrEqual(figures.propagationP50Ms!)
    // the long work says what it does on stderr as it goes; stdout is the JSON alone
    for (const phase of ['single-node reference', 'keeps up', 'propagation', 'syncing', 'healing']) expect(result.stderr).toContain(phase)
    expect(result.stdout.trim().split('\n')).toHaveLength(1)
    console.log(`bench network --nodes 2 --quick: ${Math.round((Date.now() - started) / 1000)} s, ${result.stdout.trim()}`)
  }, 180_000)

  it('refuses a node count out of range and its options on another bench, with one line each', async () => {
    const [tooFew, elsewhere] = await Promise.all([dv2g(['bench', 'network', '--nodes', '1']), dv2g(['bench', 'api', '--quick'])])
    expect(tooFew.status).toBe(2)
    expect(tooFew.stderr.trim()).toBe('dv2g: --nodes must be a whole number from 2 to 8 (got 1)')
    expect(elsewhere.status).toBe(2)
    expect(elsewhere.stderr.trim()).toBe('dv2g: --quick is an option of dv2g bench network, market-network and ocpp')
  })
})
