// dv2g bench market-network as a user runs it, short (--quick): the operator's node, a swarm of
// agents on a second node and a verifying third, every slot verified on all three, and the
// bench's figures printed. How fast this machine is decides the values, not the test.
import { describe, expect, it } from 'vitest'
import { dv2g } from '../support/nodes'

describe('dv2g bench market-network', () => {
  it('runs a swarm of agents against the operator and prints its figures', async () => {
    const result = await dv2g(['bench', 'market-network', '--quick', '--evs', '30', '--grids', '3', '--json'], {}, 170_000)
    expect(result.status, result.stderr).toBe(0)
    const figures = JSON.parse(result.stdout) as Record<string, number>
    expect(figures).toMatchObject({ evs: 30, grids: 3, nodes: 3, slots: 2 })
    for (const key of ['closeToResultMs', 'closeToVerifiedAllMs', 'closeToVerifiedAllMaxMs'])
      expect(Number.isFinite(figures[key]) && figures[key]! >= 0, `${key} = ${figures[key]}`).toBe(true)
    expect(figures.offersPerSecond).toBeGreaterThan(0)
    expect(figures.closeToVerifiedAllMaxMs).toBeGreaterThanOrEqual(figures.closeToVerifiedAllMs!)
    // every slot took every participant's input: none missed a close
    expect(result.stderr).not.toContain('was solved from')
    expect(result.stderr.match(/slot \d+: 33 inputs/g)).toHaveLength(2)
    console.log(`bench market-network --quick: ${result.stdout.trim()}`)
  }, 180_000)

  it('refuses a swarm size out of range, and the swarm options on another bench', async () => {
    const [tooMany, elsewhere] = await Promise.all([
      dv2g(['bench', 'market-network', '--evs', '0']),
      dv2g(['bench', 'api', '--grids', '3'])
    ])
    expect(tooMany.status).toBe(2)
    expect(tooMany.stderr.trim()).toBe('dv2g: --evs must be a whole number from 1 to 20000 (got 0)')
    expect(elsewhere.status).toBe(2)
    expect(elsewhere.stderr.trim()).toBe('dv2g: --evs and --grids are options of dv2g bench market-network')
  })
})
