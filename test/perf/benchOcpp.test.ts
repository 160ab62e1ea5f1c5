// dv2g bench ocpp as a user runs it, short (--quick): the central system in a dv2g node process,
// simulated chargers in the bench's own, and its four figures printed. How fast this
// machine is decides the values, not the test.
import { describe, expect, it } from 'vitest'
import { dv2g } from '../support/nodes'

describe('dv2g bench ocpp', () => {
  it("runs simulated chargers against a node's central system and prints exactly its four figures", async () => {
    const result = await dv2g(['bench', 'ocpp', '--quick', '--json'], {}, 170_000)
    expect(result.status, result.stderr).toBe(0)
    expect(result.stdout.trim().split('\n')).toHaveLength(1)
    const figures = JSON.parse(result.stdout) as Record<string, unknown>
    expect(Object.keys(figures).sort()).toEqual(['chargers', 'messagesPerSecond', 'p99Ms', 'rssMB'])
    for (const [key, value] of Object.entries(figures))
      expect(typeof value === 'number' && Number.isFinite(value) && value > 0, `${key} = ${String(value)}`).toBe(true)
    expect(figures.chargers).toBe(50)
    for (const phase of ['registering 50 chargers', 'ramping up: 50 of 50', 'warming up', 'measuring for 5 s'])
      expect(result.stderr).toContain(phase)
    expect(result.stderr).not.toMatch(/MeterValues in the window failed/)
    console.log(`bench ocpp --quick: ${result.stdout.trim()}`)
  }, 180_000)

  it('refuses a size out of range, and its options on another bench, with one line each', async () => {
    const [tooFew, notWhole, elsewhere] = await Promise.all([
      dv2g(['bench', 'ocpp', '--chargers', '0']),
      dv2g(['bench', 'ocpp', '--seconds', '2.5']),
      dv2g(['bench', 'api', '--seconds', '5'])
    ])
    expect(tooFew.status).toBe(2)
    expect(tooFew.stderr.trim()).toBe('dv2g: --chargers must be a whole number from 1 to 20000 (got 0)')
    expect(notWhole.status).toBe(2)
    expect(notWhole.stderr.trim()).toBe('dv2g: --seconds must be a whole number from 1 to 3600 (got 2.5)')
    expect(elsewhere.status).toBe(2)
    expect(elsewhere.stderr.trim()).toBe('dv2g: --chargers and --seconds are options of dv2g bench ocpp')
  })
})
