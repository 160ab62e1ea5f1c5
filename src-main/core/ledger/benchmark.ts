// `dv2g bench tangle`: the ledger's figures against their targets, each measured in
// the same run as the reference it is compared with.
import { spawnSync } from 'node:child_process'
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openDatabase } from '../db/connection'
import { NONE, TangleGraph } from './graph'
import { Ledger } from './ledger'
import { ID_CHUNK } from './store'
import { ParallelVerifier, type SignedMessage } from './parallelVerifier'
import { publicKeyBytes, signBytes } from './signing'
import { seededRandom } from '../../../src-shared/random'
import { DEFAULT_TIP_SELECTION, TipSelector } from './tipSelection'
import { TxKind, type Payload } from './transaction'

export interface TangleBenchResult {
  verifyBoundTxPerSecond: number
  ingestTxPerSecond: number
  ingestToBound: number
  attachTxPerSecond: number
  tipSelectMedianMs10k: number
  tipSelectMedianMs1M: number
  tipSelectGrowth: number
  rssMB1M: number
  dbBytesPerTx: number
  openSeconds1M: number
}

const dataPayload = (i: number): Payload => ({
  kind: TxKind.Data,
  topic: 'meter.hourly',
  body: new TextEncoder().encode(JSON.stringify({ meter: 'E0001', wh: 1000 + i }))
})

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

/** transactions per ingest call, in the bound as in ingest: the threads get the same share of work */
const INGEST_BATCH = 256

/**
 * Raw Ed25519 verification of transaction-sized messages, on the same threads and in the same
 * batches as ingest (a ParallelVerifier): the bound ingest is held to. A bound on one thread
 * while ingest used all of them read as ingest beating its own bound.
 */
async function verifyBound(count: number): Promise<number> {
  const items = signedMessages(count)
  const verifier = await warmVerifier()
  try {
    const started = performance.now()
    for (let i = 0; i < count; i += INGEST_BATCH) {
      if ((await verifier.verifyAll(items.slice(i, i + INGEST_BATCH))).includes(false)) throw new Error('verify failed')
    }
    return count / ((performance.now() - started) / 1000)
  } finally {
    await verifier.close()
  }
}

function signedMessages(count: number): SignedMessage[] {
  const { privateKey } = generateKeyPairSync('ed25519')
  const publicKey = publicKeyBytes(privateKey)
  return Array.from({ length: count }, () => {
    const message = randomBytes(220)
    return { publicKey, message, signature: signBytes(privateKey, message) }
  })
}

/** Worker threads started and warmed up before the clock runs, for the bound and for ingest alike. */
async function warmVerifier(): Promise<ParallelVerifier> {
  const verifier = new ParallelVerifier()
  await verifier.verifyAll(signedMessages(INGEST_BATCH))
  return verifier
}

export interface IngestFigures {
  /** signed and attached at the default difficulty, one ledger */
  attachTxPerSecond: number
  /** the same transactions, pre-signed, validated fully and stored in a fresh ledger, signatures across threads */
  ingestTxPerSecond: number
  dbBytesPerTx: number
}

/** What one node can take in on this machine: `bench tangle`'s ingest, and `bench network`'s reference. */
export async function measureIngest(dir: string, transactions: number, note: (line: string) => void): Promise<IngestFigures> {
  mkdirSync(dir, { recursive: true })
  note(`attaching ${transactions} transactions at the default difficulty`)
  const sourceDb = openDatabase(join(dir, 'source.sqlite'))
  const source = new Ledger(sourceDb)
  const treasury = generateKeyPairSync('ed25519').privateKey
  source.createGenesis(treasury, [{ address: publicKeyBytes(treasury), amount: 1000n }])
  const attachStarted = performance.now()
  for (let done = 0; done < transactions; done += 64) {
    source.attachMany(
      treasury,
      Array.from({ length: Math.min(64, transactions - done) }, (_, i) => dataPayload(done + i))
    )
  }
  const attachTxPerSecond = transactions / ((performance.now() - attachStarted) / 1000)

  note('ingesting them, pre-signed, into a fresh ledger with full validation (signatures across threads)')
  const exported = sourceDb.prepare<[], Buffer>('SELECT bytes FROM transaction_bodies ORDER BY seq').pluck().all()
  sourceDb.close()
  const targetFile = join(dir, 'target.sqlite')
  const targetDb = openDatabase(targetFile)
  const target = new Ledger(targetDb)
  target.ingest([exported[0]!])
  const verifier = await warmVerifier()
  try {
    const ingestStarted = performance.now()
    for (let i = 1; i < exported.length; i += INGEST_BATCH) {
      const outcomes = await target.ingestParallel(exported.slice(i, i + INGEST_BATCH), verifier)
      if (outcomes.some((o) => o.status !== 'accepted'))
        throw new Error(`ingest refused a valid transaction: ${JSON.stringify(outcomes.find((o) => o.status !== 'accepted'))}`)
    }
    const ingestTxPerSecond = (exported.length - 1) / ((performance.now() - ingestStarted) / 1000)
    const dbBytesPerTx = (statSync(targetFile).size + fileSize(`${targetFile}-wal`)) / exported.length
    return { attachTxPerSecond, ingestTxPerSecond, dbBytesPerTx }
  } finally {
    await verifier.close()
    targetDb.close()
  }
}

/**
 * A graph grown the way a busy node grows: each transaction approves a tip and either another
 * tip or one of the last few transactions (as transactions attached in the same instant do),
 * which keeps a handful of tips, as a node at a steady rate has.
 */
export function syntheticGraph(size: number, seed: number): TangleGraph {
  const random = seededRandom(seed)
  const graph = new TangleGraph()
  const id = new Uint8Array(32)
  const view = new DataView(id.buffer)
  graph.add(id, NONE, NONE, 0)
  for (let i = 1; i < size; i++) {
    const tips = graph.tips
    const a = tips.at(Math.floor(random() * tips.size))
    const b = random() < 0.5 ? tips.at(Math.floor(random() * tips.size)) : Math.max(0, i - 1 - Math.floor(random() * 20))
    view.setUint32(28, i, true)
    graph.add(id, a, b, i)
  }
  return graph
}

function tipSelectMedianMs(graph: TangleGraph, samples: number): number {
  const selector = new TipSelector(graph, seededRandom(3), DEFAULT_TIP_SELECTION)
  const times: number[] = []
  for (let i = 0; i < samples; i++) {
    const started = performance.now()
    selector.selectPair()
    times.push(performance.now() - started)
  }
  return median(times)
}

/** A database of n transactions as the store lays them out (random ids and bodies, real structure). */
export function syntheticDatabase(file: string, graph: TangleGraph): void {
  const db = openDatabase(file)
  db.pragma('synchronous = OFF') // bulk set-up only; the ledger commits with FULL
  const insertTx = db.prepare('INSERT INTO transactions (seq, id, trunk_seq, branch_seq, received_ms, status) VALUES (?, ?, ?, ?, 0, 1)')
  const insertBody = db.prepare(
    'INSERT INTO transaction_bodies (seq, essence_id, kind, issuer, timestamp_ms, bytes) VALUES (?, ?, 2, ?, 0, ?)'
  )
  const insertApprover = db.prepare('INSERT OR IGNORE INTO approvers (parent_seq, approver_seq) VALUES (?, ?)')
  const issuer = randomBytes(32)
  const body = randomBytes(220)
  for (let start = 0; start < graph.size; start += 50_000) {
    db.transaction(() => {
      for (let i = start; i < Math.min(graph.size, start + 50_000); i++) {
        const trunk = graph.trunk[i]!
        const branch = graph.branch[i]!
        insertTx.run(i + 1, graph.idAt(i), trunk === NONE ? null : trunk + 1, branch === NONE ? null : branch + 1)
        insertBody.run(i + 1, randomBytes(32), issuer, body)
        if (trunk !== NONE) insertApprover.run(trunk + 1, i + 1)
        if (branch !== NONE) insertApprover.run(branch + 1, i + 1)
      }
    })()
  }
  const insertChunk = db.prepare('INSERT INTO id_chunks (chunk, ids) VALUES (?, ?)')
  db.transaction(() => {
    for (let chunk = 0; chunk * ID_CHUNK < graph.size; chunk++) {
      insertChunk.run(chunk, graph.ids.subarray(chunk * ID_CHUNK * 32, Math.min(graph.size, (chunk + 1) * ID_CHUNK) * 32))
    }
  })()
  const insertTip = db.prepare('INSERT INTO tips (seq) VALUES (?)')
  for (const tip of graph.tips.values()) insertTip.run(tip + 1)
  db.close()
}

export async function benchTangle(
  note: (line: string) => void,
  options = { transactions: 5000, large: 1_000_000 }
): Promise<TangleBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'dv2g-bench-tangle-'))
  try {
    note('bench tangle: raw Ed25519 verify rate on the threads ingest uses (the bound)')
    const verifyBoundTxPerSecond = await verifyBound(4000)
    const { attachTxPerSecond, ingestTxPerSecond, dbBytesPerTx } = await measureIngest(dir, options.transactions, (line) =>
      note(`bench tangle: ${line}`)
    )

    note('bench tangle: tip selection at 10,000 transactions')
    const tipSelectMedianMs10k = tipSelectMedianMs(syntheticGraph(10_000, 1), 2000)
    note(`bench tangle: growing a ${options.large}-transaction tangle`)
    const large = syntheticGraph(options.large, 2)
    const tipSelectMedianMs1M = tipSelectMedianMs(large, 2000)

    note(`bench tangle: writing it as a database and reopening it in a fresh process`)
    const largeFile = join(dir, 'large.sqlite')
    syntheticDatabase(largeFile, large)
    const { openSeconds: openSeconds1M, rssMB: rssMB1M } = openInFreshProcess(largeFile)

    return {
      verifyBoundTxPerSecond,
      ingestTxPerSecond,
      ingestToBound: ingestTxPerSecond / verifyBoundTxPerSecond,
      attachTxPerSecond,
      tipSelectMedianMs10k,
      tipSelectMedianMs1M,
      tipSelectGrowth: tipSelectMedianMs1M / tipSelectMedianMs10k,
      rssMB1M,
      dbBytesPerTx,
      openSeconds1M
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size
  } catch {
    return 0
  }
}

/** Opens a ledger in a new process, so what it measures is the ledger's memory alone. */
function openInFreshProcess(file: string): { openSeconds: number; rssMB: number } {
  const probe = fileURLToPath(new URL('./openProbe.ts', import.meta.url))
  const result = spawnSync(process.execPath, ['--import', 'tsx', probe, file], { encoding: 'utf8', timeout: 120_000 })
  if (result.status !== 0) throw new Error(`the open probe failed: ${result.stderr}`)
  return JSON.parse(result.stdout) as { openSeconds: number; rssMB: number }
}
