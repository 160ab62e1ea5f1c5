import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { openDatabase, type Db } from '../../../../../src-main/core/db/connection'
import { ReadingStore } from '../../../../../src-main/core/meters/readingStore'
import { ChargerRegistry } from '../../../../../src-main/core/ocpp/chargerRegistry'
import { GroupCommit } from '../../../../../src-main/core/ocpp/groupCommit'
import { Intake, meterIdOf } from '../../../../../src-main/core/ocpp/intake'
import { LiveState } from '../../../../../src-main/core/ocpp/liveState'
import { SessionStore } from '../../../../../src-main/core/ocpp/sessionStore'
import { FakeClock } from '../../../../support/fakeClock'
import { useTempDirs } from '../../../../support/tempDir'

const tempDir = useTempDirs()
const opened: Database.Database[] = []
afterEach(() => {
  for (const db of opened.splice(0)) if (db.open) db.close()
})

/** The database, and a second connection to it: what another process would see, i.e. only what is committed. */
function setUp() {
  const file = join(tempDir(), 'dv2g.sqlite')
  const db = openDatabase(file)
  db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)')
  const other = new Database(file, { readonly: true })
  opened.push(db, other)
  const insert = db.prepare('INSERT INTO notes (text) VALUES (?)')
  const committedTexts = () => other.prepare('SELECT text FROM notes ORDER BY id').pluck().all() as string[]
  return { db, insert, committedTexts }
}

describe('group commit', () => {
  it('runs the writes of messages that arrive together in one transaction, in order, and answers each only once all are committed', async () => {
    const { db, insert, committedTexts } = setUp()
    const group = new GroupCommit(db, { spacingMs: 0, maxGroup: 100 })
    const seenByOthers: string[][] = []
    const writes = ['a', 'b', 'c'].map((text) =>
      group.run(() => {
        insert.run(text)
        // uncommitted until the whole group is: nobody else sees any of it yet
        seenByOthers.push(committedTexts())
        return text.toUpperCase()
      })
    )
    expect(group.waiting).toBe(3)
    const answeredWith: string[][] = []
    for (const write of writes) void write.then(() => answeredWith.push(committedTexts()))
    expect(await Promise.all(writes)).toEqual(['A', 'B', 'C'])
    expect(seenByOthers).toEqual([[], [], []])
    expect(answeredWith).toEqual([
      ['a', 'b', 'c'],
      ['a', 'b', 'c'],
      ['a', 'b', 'c']
    ])
  })

  it('rolls back and fails a write that throws alone; the rest of its group is committed', async () => {
    const { db, insert, committedTexts } = setUp()
    const group = new GroupCommit(db, { spacingMs: 0, maxGroup: 100 })
    const outcomes = await Promise.allSettled([
      group.run(() => insert.run('kept')),
      group.run(() => {
        insert.run('rolled back')
        throw new Error('a broken message')
      }),
      group.run(() => insert.run('kept too'))
    ])
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect((outcomes[1] as PromiseRejectedResult).reason).toEqual(new Error('a broken message'))
    expect(committedTexts()).toEqual(['kept', 'kept too'])
  })

  it('fails every write of a group whose commit cannot happen: none is acknowledged', async () => {
    const { db, insert } = setUp()
    const group = new GroupCommit(db, { spacingMs: 0, maxGroup: 100 })
    const writes = [group.run(() => insert.run('x')), group.run(() => insert.run('y'))]
    db.close()
    const outcomes = await Promise.allSettled(writes)
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected'])
  })

  it('spaces commits while writes keep coming, and commits a full group without waiting', async () => {
    const { db, insert, committedTexts } = setUp()
    const clock = new FakeClock()
    const spaced = new GroupCommit(db, { spacingMs: 50, maxGroup: 100 }, clock)
    const first = spaced.run(() => insert.run('first'))
    // after a quiet spell: the next turn of the event loop, no time on the clock
    clock.advance(0)
    await first
    const second = spaced.run(() => insert.run('second'))
    clock.advance(49)
    expect(committedTexts()).toEqual(['first'])
    clock.advance(1)
    await second
    expect(committedTexts()).toEqual(['first', 'second'])

    // with the spacing still to run, only a full group commits at once
    const full = new GroupCommit(db, { spacingMs: 50, maxGroup: 3 }, clock)
    const opening = full.run(() => insert.run('opens the spacing'))
    clock.advance(0)
    await opening
    const two = ['x', 'y'].map((text) => full.run(() => insert.run(text)))
    clock.advance(0)
    expect(committedTexts()).toEqual(['first', 'second', 'opens the spacing'])
    const third = full.run(() => insert.run('z'))
    clock.advance(0)
    await Promise.all([...two, third])
    expect(committedTexts()).toEqual(['first', 'second', 'opens the spacing', 'x', 'y', 'z'])
    expect(clock.now()).toBe(50)
  })
})

describe("the intake's committed writes", () => {
  async function intakeOf(db: Db) {
    const registry = new ChargerRegistry(db)
    await registry.add({ id: 'CP1' })
    const logs: string[] = []
    const readings = new ReadingStore(db)
    const intake = new Intake(
      db,
      readings,
      new SessionStore(db),
      new LiveState((line) => logs.push(line)),
      registry,
      (line) => logs.push(line),
      { spacingMs: 0, maxGroup: 100 }
    )
    return { intake, readings, logs }
  }

  it('stores a meter value replayed within the same group once', async () => {
    const { db } = setUp()
    const { intake, readings } = await intakeOf(db)
    const sample = { tsMs: 1_000, importWh: 500, exportWh: null, powerW: 7000, socPercent: 40 }
    await Promise.all([1, 2].map(() => intake.committed('CP1', 'MeterValues', () => intake.meterSamples('CP1', 1, '1', [sample]))))
    expect(readings.readings(meterIdOf('CP1', 1), 0, 10_000)).toEqual([{ tsMs: 1_000, importWh: 500, exportWh: 0, powerW: 7000, flags: 0 }])
  })

  it("turns a write's failure into the charger's InternalError, and logs why", async () => {
    const { db } = setUp()
    const { intake, logs } = await intakeOf(db)
    const failed = intake.committed('CP1', 'MeterValues', () => {
      throw new Error('disk on fire')
    })
    await expect(failed).rejects.toMatchObject({
      rpcErrorCode: 'InternalError',
      message: 'the central system could not process MeterValues'
    })
    expect(logs).toHaveLength(1)
    expect(logs[0]).toMatch(/^CP1: MeterValues failed: Error: disk on fire/)
  })
})
