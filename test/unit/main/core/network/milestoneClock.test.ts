import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openDatabase, type Db } from '../../../../../src-main/core/db/connection'
import { addressOf } from '../../../../../src-main/core/ledger/address'
import { Ledger } from '../../../../../src-main/core/ledger/ledger'
import { privateKeyFromSeed, publicKeyBytes } from '../../../../../src-main/core/ledger/signing'
import { TxKind } from '../../../../../src-main/core/ledger/transaction'
import { MilestoneClock } from '../../../../../src-main/core/network/milestoneClock'
import { seededRandom } from '../../../../../src-shared/random'
import { useTempDirs } from '../../../../support/tempDir'
import { until } from '../../../../support/until'

const tempDir = useTempDirs()
const operator = privateKeyFromSeed(new Uint8Array(32).fill(1))
const stranger = privateKeyFromSeed(new Uint8Array(32).fill(7))
const opened: { db: Db; clock?: MilestoneClock }[] = []
afterEach(() => {
  for (const { db, clock } of opened.splice(0)) {
    clock?.stop()
    db.close()
  }
})

function ledgerWithGenesis(): Ledger {
  const db = openDatabase(join(tempDir(), 'ledger.sqlite'))
  opened.push({ db })
  const ledger = new Ledger(db, { powBits: 2, random: seededRandom(3) })
  ledger.createGenesis(operator, [{ address: addressOf(publicKeyBytes(operator)), amount: 1000n }], [publicKeyBytes(operator)])
  return ledger
}

const data = (ledger: Ledger, text: string) =>
  ledger.attach(operator, { kind: TxKind.Data, topic: 'test', body: new TextEncoder().encode(text) })

describe('MilestoneClock', () => {
  it('issues a milestone only when a tip is not referenced yet, and each one references what was new', () => {
    const ledger = ledgerWithGenesis()
    const clock = new MilestoneClock(ledger, operator, 3_600_000, () => {})
    opened[0]!.clock = clock

    expect(clock.tick()).toMatchObject({ status: 'accepted' })
    expect(ledger.latestMilestone()?.index).toBe(1)
    // only the milestone itself is a tip now: an idle interval issues nothing
    expect(ledger.awaitsMilestone()).toBe(false)
    expect(clock.tick()).toBeNull()
    expect(ledger.latestMilestone()?.index).toBe(1)

    const sent = [data(ledger, 'a'), data(ledger, 'b'), data(ledger, 'c')]
    expect(ledger.awaitsMilestone()).toBe(true)
    // tips are approved two at a time: the clock keeps issuing until every new transaction is referenced
    while (clock.tick()) expect(ledger.latestMilestone()!.index).toBeLessThan(10)
    for (const outcome of sent) {
      if (outcome.status !== 'accepted') throw new Error(JSON.stringify(outcome))
      expect(ledger.milestoneReferencing(outcome.index)).toBeGreaterThan(0)
    }
    expect(clock.tick()).toBeNull()
  })

  it('asks the ledger whether anything waits: nothing on an empty tangle, a new tip until a milestone takes it in', () => {
    const db = openDatabase(join(tempDir(), 'ledger.sqlite'))
    opened.push({ db })
    const empty = new Ledger(db, { powBits: 2, random: seededRandom(3) })
    expect(empty.awaitsMilestone()).toBe(false)

    const ledger = ledgerWithGenesis()
    expect(ledger.awaitsMilestone()).toBe(true)
    expect(ledger.issueMilestone(operator)).toMatchObject({ status: 'accepted' })
    expect(ledger.awaitsMilestone()).toBe(false)
    data(ledger, 'new')
    expect(ledger.awaitsMilestone()).toBe(true)
  })

  it('issues on its interval by itself, and logs a refused milestone once rather than every interval', async () => {
    const ledger = ledgerWithGenesis()
    const lines: string[] = []
    const refused = new MilestoneClock(ledger, stranger, 20, (line) => lines.push(line))
    opened[0]!.clock = refused
    data(ledger, 'waiting')
    await until(() => lines.length > 0, 5_000, 'the refusal to be logged')
    expect(lines[0]).toMatch(/^dv2g node: could not issue a milestone: .*not a milestone issuer/)
    // refused again on the next interval: still one line
    expect(refused.tick()).toMatchObject({ status: 'refused' })
    expect(lines).toHaveLength(1)
    expect(ledger.latestMilestone()).toBeNull()
    refused.stop()

    const clock = new MilestoneClock(ledger, operator, 20, () => {})
    opened[0]!.clock = clock
    await until(() => ledger.latestMilestone() !== null, 5_000, 'the first milestone')
    expect(ledger.latestMilestone()!.index).toBe(1)
  })
})
