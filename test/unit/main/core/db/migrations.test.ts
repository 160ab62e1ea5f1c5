import Database from 'better-sqlite3'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openDatabase, type WritableDB } from '../../../../../src-main/core/db/connection'
import { latestSchemaVersion, migrate, schemaVersion } from '../../../../../src-main/core/db/migrate'
import { migrations } from '../../../../../src-main/core/db/migrations/index'
import { verifyLedger } from '../../../../../src-main/core/ledger/audit'
import { Ledger } from '../../../../../src-main/core/ledger/ledger'
import { privateKeyFromSeed, publicKeyBytes } from '../../../../../src-main/core/ledger/signing'
import { TxKind } from '../../../../../src-main/core/ledger/transaction'
import { useTempDirs } from '../../../../support/tempDir'

const tempDir = useTempDirs()

function columns(db: Database.Database, table: string): string[] {
  return (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name)
}

describe('migrations', () => {
  it('are numbered 1..n in order, so user_version says exactly which have run', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1))
    expect(latestSchemaVersion).toBe(migrations.length)
  })

  it('001 creates esu_profiles with a case-insensitive unique name and JSON parameters', () => {
    const db = new Database(':memory:')
    migrate(db, migrations.slice(0, 1))
    expect(schemaVersion(db)).toBe(1)
    expect(columns(db, 'esu_profiles')).toEqual(['name', 'parameters', 'created_at', 'updated_at'])
    const insert = db.prepare('INSERT INTO esu_profiles VALUES (?, ?, ?, ?)')
    insert.run('Fleet A', '{}', 'now', 'now')
    expect(() => insert.run('fleet a', '{}', 'now', 'now')).toThrow(/UNIQUE/)
    expect(() => insert.run('Fleet B', 'not json', 'now', 'now')).toThrow(/CHECK/)
  })

  it('002 creates the ledger: transactions, id chunks, bodies, approvers, tips, outputs, spends, conflicts, metadata', () => {
    const db = new Database(':memory:')
    db.pragma('foreign_keys = ON')
    migrate(db, migrations.slice(0, 2))
    expect(schemaVersion(db)).toBe(2)
    expect(columns(db, 'transactions')).toEqual(['seq', 'id', 'trunk_seq', 'branch_seq', 'received_ms', 'status', 'status_ms'])
    expect(columns(db, 'id_chunks')).toEqual(['chunk', 'ids'])
    expect(columns(db, 'transaction_bodies')).toEqual(['seq', 'essence_id', 'kind', 'issuer', 'timestamp_ms', 'bytes'])
    expect(columns(db, 'approvers')).toEqual(['parent_seq', 'approver_seq'])
    expect(columns(db, 'tips')).toEqual(['seq'])
    expect(columns(db, 'outputs')).toEqual(['tx_seq', 'idx', 'address', 'amount'])
    expect(columns(db, 'spends')).toEqual(['tx_seq', 'idx', 'spender_seq'])
    expect(columns(db, 'conflicts')).toEqual(['tx_seq', 'idx', 'winner_seq', 'opened_ms', 'resolved_ms'])
    expect(columns(db, 'ledger_meta')).toEqual(['key', 'value'])

    const insertTx = db.prepare('INSERT INTO transactions (seq, id, trunk_seq, branch_seq, received_ms) VALUES (?, ?, ?, ?, 0)')
    insertTx.run(1, Buffer.alloc(32, 1), null, null)
    expect(() => insertTx.run(2, Buffer.alloc(31), 1, 1)).toThrow(/CHECK/)
    expect(() => insertTx.run(3, Buffer.alloc(32, 3), 99, 1)).toThrow(/FOREIGN KEY/)
    expect(() => db.prepare("INSERT INTO outputs VALUES (1, 0, x'00', 0)").run()).toThrow(/CHECK/)
    const insertBody = db.prepare("INSERT INTO transaction_bodies VALUES (?, ?, 2, x'00', 0, x'00')")
    insertBody.run(1, Buffer.alloc(32, 9))
    expect(() => insertBody.run(5, Buffer.alloc(32, 8))).toThrow(/FOREIGN KEY/)
  })

  it('003 creates market runs and their slots, one row per slot, removed with their run', () => {
    const db = new Database(':memory:')
    db.pragma('foreign_keys = ON')
    migrate(db, migrations.slice(0, 3))
    expect(schemaVersion(db)).toBe(3)
    expect(columns(db, 'market_runs')).toEqual([
      'id',
      'scenario_name',
      'scenario',
      'clock',
      'slot_seconds',
      'settle',
      'status',
      'next_slot',
      'state',
      'created_at',
      'finished_at'
    ])
    expect(columns(db, 'market_slots')).toEqual([
      'run_id',
      't',
      'converged',
      'clearing_price',
      'traded_kwh',
      'paid',
      'outcome',
      'participants',
      'settlement',
      'settle_error',
      'solved_at'
    ])
    const run = db.prepare("INSERT INTO market_runs VALUES (?, 'day', '{}', ?, NULL, 0, 'running', 0, '{}', 'now', NULL)")
    run.run('r1', 'instant')
    expect(() => run.run('r2', 'weekly')).toThrow(/CHECK/)
    const slot = db.prepare("INSERT INTO market_slots VALUES ('r1', ?, 1, 0.1, 2.5, 0.25, ?, '{}', NULL, NULL, 'now')")
    slot.run(1, '{}')
    expect(() => slot.run(1, '{}')).toThrow(/UNIQUE/)
    expect(() => slot.run(2, 'not json')).toThrow(/CHECK/)
    db.prepare("DELETE FROM market_runs WHERE id = 'r1'").run()
    expect(db.prepare('SELECT count(*) FROM market_slots').pluck().get()).toBe(0)
  })

  it('004 creates meter ports, meters, readings unique per meter and instant, and import records', () => {
    const db = new Database(':memory:')
    db.pragma('foreign_keys = ON')
    migrate(db, migrations.slice(0, 4))
    expect(schemaVersion(db)).toBe(4)
    expect(columns(db, 'meter_ports')).toEqual(['path', 'protocol', 'settings', 'prosumer', 'created_at'])
    expect(columns(db, 'meters')).toEqual(['id', 'port', 'prosumer', 'first_seen_ms', 'last_seen_ms'])
    expect(columns(db, 'readings')).toEqual(['meter_id', 'ts_ms', 'import_wh', 'export_wh', 'power_w', 'flags', 'source'])
    expect(columns(db, 'meter_imports')).toEqual(['id', 'path', 'kind', 'imported', 'duplicates', 'flagged', 'rejected', 'finished_at'])

    const port = db.prepare("INSERT INTO meter_ports VALUES (?, ?, ?, NULL, 'now')")
    port.run('/dev/ttyUSB0', 'dsmr', '{"baudRate":115200}')
    expect(() => port.run('/dev/ttyUSB0', 'dsmr', '{}')).toThrow(/UNIQUE|PRIMARY KEY/)
    expect(() => port.run('/dev/ttyUSB1', 'modbus', '{}')).toThrow(/CHECK/)
    expect(() => port.run('/dev/ttyUSB1', 'dsmr', 'not json')).toThrow(/CHECK/)

    db.prepare("INSERT INTO meters VALUES ('E1', '/dev/ttyUSB0', 'EV1', 0, 0)").run()
    const reading = db.prepare(
      "INSERT INTO readings (meter_id, ts_ms, import_wh, export_wh, power_w, source) VALUES (?, ?, ?, ?, NULL, 'test')"
    )
    reading.run('E1', 1000, 1500, 0)
    // a reconnect or a second import of the same instant adds nothing twice
    expect(() => reading.run('E1', 1000, 1500, 0)).toThrow(/UNIQUE|PRIMARY KEY/)
    expect(() => reading.run('E1', 2000, -1, 0)).toThrow(/CHECK/)
    expect(() => reading.run('E1', 3000, 0, -1)).toThrow(/CHECK/)
    expect(() => reading.run('nobody', 1000, 0, 0)).toThrow(/FOREIGN KEY/)
    // STRICT tables refuse text where counters belong
    expect(() => reading.run('E1', 4000, 'lots', 0)).toThrow(/cannot store TEXT/)
    expect(db.prepare("SELECT flags FROM readings WHERE meter_id = 'E1'").pluck().get()).toBe(0)
    db.prepare("DELETE FROM meters WHERE id = 'E1'").run()
    expect(db.prepare('SELECT count(*) FROM readings').pluck().get()).toBe(0)

    const record = db.prepare(
      "INSERT INTO meter_imports (path, kind, imported, duplicates, flagged, rejected, finished_at) VALUES ('/logs/a', ?, 1, 0, 0, ?, 'now')"
    )
    record.run('csv', '[]')
    expect(() => record.run('xlsx', '[]')).toThrow(/CHECK/)
    expect(() => record.run('dsmr', 'not json')).toThrow(/CHECK/)
  })

  it('004 keeps what 001–003 stored when it runs on an older database', () => {
    const file = join(tempDir(), 'v3.sqlite')
    const db = new Database(file)
    migrate(db, migrations.slice(0, 3))
    db.prepare("INSERT INTO esu_profiles VALUES ('kept', '{}', 'now', 'now')").run()
    db.prepare("INSERT INTO market_runs VALUES ('r1', 'day', '{}', 'instant', NULL, 0, 'finished', 24, '{}', 'now', 'now')").run()
    migrate(db, migrations.slice(0, 4))
    expect(schemaVersion(db)).toBe(4)
    expect(db.prepare('SELECT name FROM esu_profiles').pluck().all()).toEqual(['kept'])
    expect(db.prepare('SELECT id FROM market_runs').pluck().all()).toEqual(['r1'])
    expect(db.prepare('SELECT count(*) FROM readings').pluck().get()).toBe(0)
    db.close()
  })

  it('005 records settled payments and market records, one per key, and copies in the slots settled before it', () => {
    const db = new Database(':memory:')
    db.pragma('foreign_keys = ON')
    migrate(db, migrations.slice(0, 4))
    const txId = (n: number) => n.toString(16).padStart(64, '0')
    db.prepare("INSERT INTO market_runs VALUES ('r1', 'day', '{}', 'instant', NULL, 1, 'finished', 24, '{}', 'now', 'now')").run()
    const slot = db.prepare("INSERT INTO market_slots VALUES ('r1', ?, 1, 0.1, 2.5, 0.25, '{}', '{}', ?, NULL, 'then')")
    const settlement = {
      slot: 1,
      transfers: [
        { buyer: 'G1', seller: 'EV1', amount: '1500', id: txId(1) },
        { buyer: 'G2', seller: 'EV1', amount: '20', id: txId(2) }
      ],
      records: [txId(3)]
    }
    slot.run(1, JSON.stringify(settlement))
    slot.run(2, null)
    migrate(db, migrations.slice(0, 5))
    expect(schemaVersion(db)).toBe(5)
    expect(columns(db, 'market_payments')).toEqual(['run_id', 't', 'grid', 'ev', 'amount', 'tx_id', 'paid_at'])
    expect(columns(db, 'market_records')).toEqual(['run_id', 't', 'part', 'tx_id', 'published_at'])
    expect(db.prepare('SELECT run_id, t, grid, ev, amount, tx_id, paid_at FROM market_payments ORDER BY grid').all()).toEqual([
      { run_id: 'r1', t: 1, grid: 'G1', ev: 'EV1', amount: 1500, tx_id: txId(1), paid_at: 'then' },
      { run_id: 'r1', t: 1, grid: 'G2', ev: 'EV1', amount: 20, tx_id: txId(2), paid_at: 'then' }
    ])
    expect(db.prepare('SELECT t, part, tx_id FROM market_records').all()).toEqual([{ t: 1, part: 0, tx_id: txId(3) }])

    const pay = db.prepare("INSERT INTO market_payments VALUES ('r1', ?, ?, 'EV2', ?, ?, 'now')")
    pay.run(2, 'G1', 10, txId(4))
    // a pair is paid once per slot: the key refuses a second payment
    expect(() => pay.run(2, 'G1', 10, txId(5))).toThrow(/UNIQUE|PRIMARY KEY/)
    expect(() => pay.run(2, 'G2', 0, txId(6))).toThrow(/CHECK/)
    expect(() => pay.run(2, 'G3', 10, 'short')).toThrow(/CHECK/)
    expect(() => pay.run(3, 'G1', 10, txId(7))).toThrow(/FOREIGN KEY/)
    db.prepare("DELETE FROM market_runs WHERE id = 'r1'").run()
    expect(db.prepare('SELECT count(*) FROM market_payments').pluck().get()).toBe(0)
    expect(db.prepare('SELECT count(*) FROM market_records').pluck().get()).toBe(0)
  })

  it('006 adds milestones, the milestone that referenced each transaction, and the milestone-confirmed unspent outputs', () => {
    const file = join(tempDir(), 'v5.sqlite')
    const db = new Database(file)
    db.pragma('foreign_keys = ON')
    migrate(db, migrations.slice(0, 5))
    const insertTx = db.prepare('INSERT INTO transactions (seq, id, trunk_seq, branch_seq, received_ms) VALUES (?, ?, ?, ?, 0)')
    insertTx.run(1, Buffer.alloc(32, 1), null, null)
    insertTx.run(2, Buffer.alloc(32, 2), 1, 1)
    migrate(db, migrations.slice(0, 6))
    expect(schemaVersion(db)).toBe(6)
    expect(db.prepare('SELECT count(*) FROM transactions').pluck().get()).toBe(2)
    expect(columns(db, 'milestones')).toEqual(['idx', 'seq', 'id', 'state_hash', 'applied_ms'])
    expect(columns(db, 'milestone_refs')).toEqual(['seq', 'milestone', 'position', 'applied'])
    expect(columns(db, 'milestone_outputs')).toEqual(['tx_id', 'idx', 'address', 'amount'])

    const milestone = db.prepare('INSERT INTO milestones VALUES (?, ?, ?, ?, 0)')
    milestone.run(1, 2, Buffer.alloc(32, 2), Buffer.alloc(32, 7))
    expect(() => milestone.run(0, 1, Buffer.alloc(32, 1), Buffer.alloc(32, 7))).toThrow(/CHECK/)
    expect(() => milestone.run(2, 2, Buffer.alloc(32, 3), Buffer.alloc(32, 7))).toThrow(/UNIQUE/)
    expect(() => milestone.run(2, 9, Buffer.alloc(32, 3), Buffer.alloc(32, 7))).toThrow(/FOREIGN KEY/)
    expect(() => milestone.run(2, 1, Buffer.alloc(32, 1), Buffer.alloc(31, 7))).toThrow(/CHECK/)
    const ref = db.prepare('INSERT INTO milestone_refs VALUES (?, ?, ?, ?)')
    ref.run(1, 1, 0, 1)
    ref.run(2, 1, null, 1)
    // a transaction is referenced by one milestone only, at one place in its order
    expect(() => ref.run(1, 1, 1, 1)).toThrow(/UNIQUE|PRIMARY KEY/)
    expect(() => ref.run(2, 5, 0, 1)).toThrow(/FOREIGN KEY|UNIQUE|PRIMARY KEY/)
    expect(() => db.prepare('INSERT INTO milestone_refs VALUES (3, 1, 1, 2)').run()).toThrow(/CHECK|FOREIGN KEY/)
    const output = db.prepare('INSERT INTO milestone_outputs VALUES (?, ?, ?, ?)')
    output.run(Buffer.alloc(32, 1), 0, Buffer.alloc(32, 9), 100)
    expect(() => output.run(Buffer.alloc(32, 1), 0, Buffer.alloc(32, 9), 5)).toThrow(/UNIQUE|PRIMARY KEY/)
    expect(() => output.run(Buffer.alloc(32, 1), 1, Buffer.alloc(32, 9), 0)).toThrow(/CHECK/)
    db.close()
  })

  it('007 indexes market messages by milestone order and slot, and records verifications once per result', () => {
    const file = join(tempDir(), 'v6.sqlite')
    const db = new Database(file)
    db.pragma('foreign_keys = ON')
    migrate(db, migrations.slice(0, 6))
    db.prepare('INSERT INTO transactions (seq, id, trunk_seq, branch_seq, received_ms) VALUES (1, ?, NULL, NULL, 0)').run(
      Buffer.alloc(32, 1)
    )
    db.prepare('INSERT INTO milestones VALUES (1, 1, ?, ?, 0)').run(Buffer.alloc(32, 1), Buffer.alloc(32, 7))
    migrate(db, migrations.slice(0, 7))
    expect(schemaVersion(db)).toBe(7)
    expect(db.prepare('SELECT count(*) FROM milestones').pluck().get()).toBe(1)
    const message = db.prepare('INSERT INTO market_messages VALUES (?, ?, 0, ?, ?, ?, ?, ?, 0, ?, NULL, NULL)')
    message.run(1, 1, 'market.offer', 'r1', 0, 'EV1', Buffer.alloc(32, 5), Buffer.from('{}'))
    expect(() => message.run(2, 1, 'market.offer', 'r1', 0, 'EV1', Buffer.alloc(32, 5), Buffer.from('{}'))).toThrow(/FOREIGN KEY/)
    expect(() => message.run(1, 1, 'market.bid', 'r1', 0, 'G1', Buffer.alloc(32, 5), Buffer.from('{}'))).toThrow(/UNIQUE|PRIMARY KEY/)
    const verification = db.prepare("INSERT INTO market_verifications VALUES ('r1', 0, ?, 1, 3, ?, '[]', 0)")
    verification.run('a'.repeat(64), 1)
    expect(() => verification.run('a'.repeat(64), 1)).toThrow(/UNIQUE|PRIMARY KEY/)
    expect(() => verification.run('b'.repeat(64), 2)).toThrow(/CHECK/)
    db.close()
  })

  it("008 keeps the one agent's inputs and records a swarm's per participant", () => {
    const db = new Database(join(tempDir(), 'v7.sqlite'))
    migrate(db, migrations.slice(0, 7))
    db.prepare("INSERT INTO market_agent_inputs VALUES ('r1', 3, ?, 9)").run('a'.repeat(64))
    migrate(db, migrations.slice(0, 8))
    expect(db.prepare('SELECT * FROM market_agent_inputs').all()).toEqual([
      { run_id: 'r1', t: 3, participant_id: '', tx_id: 'a'.repeat(64), posted_ms: 9 }
    ])
    const insert = db.prepare("INSERT INTO market_agent_inputs VALUES ('r1', 4, ?, ?, 10)")
    insert.run('EV1', 'b'.repeat(64))
    insert.run('EV2', 'c'.repeat(64))
    expect(() => insert.run('EV1', 'd'.repeat(64))).toThrow(/UNIQUE|PRIMARY KEY/)
    db.close()
  })

  it('009 registers OCPP chargers by password hash, and keys sessions, transaction events and states of charge so a replay adds nothing', () => {
    const db = new Database(join(tempDir(), 'v8.sqlite'))
    migrate(db, migrations.slice(0, 8))
    db.prepare("INSERT INTO meters VALUES ('E1', NULL, 'EV1', 0, 0)").run()
    migrate(db, migrations.slice(0, 9))
    expect(schemaVersion(db)).toBe(9)
    expect(db.prepare('SELECT id FROM meters').pluck().all()).toEqual(['E1'])
    expect(columns(db, 'ocpp_chargers')).toEqual(['id', 'password_hash', 'discharge_by_negative_limit', 'prosumer', 'created_at'])
    expect(columns(db, 'ocpp_sessions')).toEqual([
      'seq',
      'charger_id',
      'transaction_id',
      'connector_id',
      'id_tag',
      'started_ms',
      'meter_start_wh',
      'stopped_ms',
      'meter_stop_wh',
      'stop_reason'
    ])
    expect(columns(db, 'ocpp_transaction_events')).toEqual([
      'charger_id',
      'transaction_id',
      'seq_no',
      'event_type',
      'trigger_reason',
      'ts_ms'
    ])
    expect(columns(db, 'ocpp_soc')).toEqual(['charger_id', 'connector_id', 'ts_ms', 'soc_percent', 'transaction_id'])
    expect(columns(db, 'ocpp_profiles')).toEqual([
      'id',
      'charger_id',
      'connector_id',
      'sent_ms',
      'transaction_id',
      'slot_start_ms',
      'slot_end_ms',
      'requested_w',
      'setpoint_w',
      'clamped',
      'status',
      'reason',
      'confirmed_w'
    ])
    // unknown chargers are rejected until the operator says otherwise
    expect(db.prepare('SELECT unknown_chargers FROM ocpp_settings').pluck().all()).toEqual(['Rejected'])
    expect(() => db.prepare("UPDATE ocpp_settings SET unknown_chargers = 'Accepted'").run()).toThrow(/CHECK/)
    expect(() => db.prepare("INSERT INTO ocpp_settings VALUES (2, 'Pending')").run()).toThrow(/CHECK/)

    const charger = db.prepare("INSERT INTO ocpp_chargers VALUES (?, ?, ?, 'EV1', 'now')")
    charger.run('CP1', 'scrypt$16384$8$1$c2FsdA==$a2V5', 1)
    expect(() => charger.run('CP1', 'scrypt$16384$8$1$c2FsdA==$a2V5', 0)).toThrow(/UNIQUE|PRIMARY KEY/)
    // never a password in the clear
    expect(() => charger.run('CP2', 'hunter2hunter2hunter2', 0)).toThrow(/CHECK/)
    expect(() => charger.run('CP3', 'scrypt$x', 2)).toThrow(/CHECK/)
    expect(() => charger.run('x'.repeat(49), 'scrypt$x', 0)).toThrow(/CHECK/)

    const session = db.prepare(
      'INSERT INTO ocpp_sessions (charger_id, transaction_id, connector_id, started_ms, meter_start_wh) VALUES (?, ?, ?, ?, ?)'
    )
    session.run('CP1', '1', 1, 1000, 500)
    expect(() => session.run('CP1', '1', 2, 2000, 0)).toThrow(/UNIQUE/)
    session.run('CP2', '1', 1, 1000, 0)
    expect(() => session.run('CP1', 'x'.repeat(37), 1, 3000, 0)).toThrow(/CHECK/)
    expect(() => session.run('CP1', '2', 1, 3000, -1)).toThrow(/CHECK/)

    const event = db.prepare("INSERT INTO ocpp_transaction_events VALUES ('CP1', 'T1', ?, ?, 'Authorized', 0)")
    event.run(0, 'Started')
    expect(() => event.run(0, 'Updated')).toThrow(/UNIQUE|PRIMARY KEY/)
    expect(() => event.run(1, 'Paused')).toThrow(/CHECK/)
    const soc = db.prepare("INSERT INTO ocpp_soc VALUES ('CP1', 1, ?, ?, NULL)")
    soc.run(1000, 55.5)
    expect(() => soc.run(1000, 56)).toThrow(/UNIQUE|PRIMARY KEY/)
    expect(() => soc.run(2000, 101)).toThrow(/CHECK/)
    const profile = db.prepare(
      "INSERT INTO ocpp_profiles (charger_id, connector_id, sent_ms, transaction_id, slot_start_ms, slot_end_ms, requested_w, setpoint_w, clamped, status) VALUES ('CP1', 1, 0, '1', ?, ?, -7000, 0, 1, 'Accepted')"
    )
    profile.run(0, 900_000)
    profile.run(0, 900_000)
    expect(() => profile.run(900_000, 900_000)).toThrow(/CHECK/)
    db.close()
  })

  it('010 rebuilds the ledger tables without hash-keyed indexes, keeping every row and every reference to them', () => {
    // opened as the stores see a data dir's handle, but stopped at schema 9
    const db = new Database(join(tempDir(), 'v9.sqlite')) as WritableDB
    db.pragma('foreign_keys = ON')
    migrate(db, migrations.slice(0, 9))
    const operator = privateKeyFromSeed(new Uint8Array(32).fill(1))
    const ledger = new Ledger(db, { powBits: 2 })
    ledger.createGenesis(operator, [{ address: publicKeyBytes(operator), amount: 1000n }], [publicKeyBytes(operator)])
    ledger.attachMany(
      operator,
      Array.from({ length: 40 }, (_, i) => ({ kind: TxKind.Data, topic: 'kept', body: new Uint8Array([i]) }))
    )
    ledger.issueMilestone(operator)
    ledger.ingestQueue.close('reopened after the migration')
    const rows = (table: string) => db.prepare(`SELECT * FROM ${table} ORDER BY seq`).all()
    const before = { transactions: rows('transactions'), bodies: rows('transaction_bodies'), refs: rows('milestone_refs') }

    migrate(db, migrations.slice(0, 10))
    expect(schemaVersion(db)).toBe(10)
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
    expect({ transactions: rows('transactions'), bodies: rows('transaction_bodies'), refs: rows('milestone_refs') }).toEqual(before)
    expect(db.pragma('foreign_key_check')).toEqual([])
    const uniqueIndexes = (table: string) =>
      (db.pragma(`index_list(${table})`) as { name: string; unique: number }[])
        .filter((index) => index.unique)
        .map((index) => (db.pragma(`index_info(${index.name})`) as { name: string }[]).map((column) => column.name))
    expect(uniqueIndexes('transactions')).toEqual([])
    expect(uniqueIndexes('transaction_bodies')).toEqual([['timestamp_ms', 'essence_id']])
    expect(db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'transactions'").pluck().all()).toEqual([
      'transactions_status'
    ])
    // references to the rebuilt tables still hold
    expect(() => db.prepare("INSERT INTO transaction_bodies VALUES (999, zeroblob(32), 2, x'00', 0, x'00')").run()).toThrow(/FOREIGN KEY/)
    expect(() => db.prepare('INSERT INTO approvers VALUES (999, 1)').run()).toThrow(/FOREIGN KEY/)
    expect(verifyLedger(db)).toMatchObject({ ok: true, transactions: 42 })

    const reopened = new Ledger(db, { powBits: 2 })
    expect(reopened.graph.size).toBe(42)
    expect(reopened.attachMany(operator, [{ kind: TxKind.Data, topic: 'after', body: new Uint8Array([1]) }])[0]).toMatchObject({
      status: 'accepted'
    })
    reopened.ingestQueue.close('done')
    db.close()
  })

  it('opening a database sets WAL and runs every migration once', () => {
    const file = join(tempDir(), 'db.sqlite')
    const db = openDatabase(file)
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('synchronous', { simple: true })).toBe(2) // FULL
    expect(schemaVersion(db)).toBe(latestSchemaVersion)
    db.prepare("INSERT INTO esu_profiles VALUES ('kept', '{}', 'now', 'now')").run()
    db.close()

    const reopened = openDatabase(file)
    expect(reopened.prepare('SELECT name FROM esu_profiles').pluck().all()).toEqual(['kept'])
    reopened.close()
  })

  it('says when opening upgrades an existing database, and says nothing for a new one', () => {
    const file = join(tempDir(), 'old.sqlite')
    const old = new Database(file)
    migrate(old, migrations.slice(0, 9))
    old.close()
    const lines: string[] = []
    openDatabase(file, (line) => lines.push(line)).close()
    expect(lines[0]).toBe(`dv2g: upgrading ${file} from schema 9 to ${latestSchemaVersion}, once (a large tangle takes a while)`)
    expect(lines[1]!.startsWith(`dv2g: upgraded ${file} in `)).toBe(true)
    expect(lines[1]!.slice(`dv2g: upgraded ${file} in `.length)).toMatch(/^\d+\.\d s$/)
    openDatabase(file, (line) => lines.push(line)).close()
    openDatabase(join(tempDir(), 'new.sqlite'), (line) => lines.push(line)).close()
    expect(lines).toHaveLength(2)
  })

  it('refuses a database written by a newer release instead of guessing', () => {
    const file = join(tempDir(), 'newer.sqlite')
    const db = new Database(file)
    db.pragma(`user_version = ${latestSchemaVersion + 1}`)
    db.close()
    expect(() => openDatabase(file)).toThrow(/newer than this release understands/)
  })

  it('rolls a failing migration back whole and leaves the version where it was', () => {
    const db = new Database(':memory:')
    const broken = [
      ...migrations,
      {
        version: migrations.length + 1,
        name: 'broken',
        up: (d: Database.Database) => d.exec('CREATE TABLE half_done (x); SELECT * FROM missing_table')
      }
    ]
    expect(() => migrate(db, broken)).toThrow(/missing_table/)
    expect(schemaVersion(db)).toBe(migrations.length)
    expect(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'half_done'").pluck().get()).toBe(0)
  })

  it('refuses a table rebuild that would leave references to rows that are not there, and turns foreign keys back on', () => {
    const db = new Database(':memory:')
    db.pragma('foreign_keys = ON')
    migrate(db)
    db.prepare('INSERT INTO transactions (seq, id, trunk_seq, branch_seq, received_ms) VALUES (1, zeroblob(32), NULL, NULL, 0)').run()
    db.prepare('INSERT INTO tips VALUES (1)').run()
    const losing = [
      ...migrations,
      {
        version: migrations.length + 1,
        name: 'losing rows',
        rebuildsReferencedTables: true,
        up: (d: Database.Database) => d.exec('DELETE FROM transactions')
      }
    ]
    expect(() => migrate(db, losing)).toThrow(
      `migration ${migrations.length + 1} (losing rows) would leave 1 row referring to rows that are not there, the first in tips (row 1, referring to transactions)`
    )
    expect(schemaVersion(db)).toBe(migrations.length)
    expect(db.prepare('SELECT count(*) FROM transactions').pluck().get()).toBe(1)
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
  })
})
