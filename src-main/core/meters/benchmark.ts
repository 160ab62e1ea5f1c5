// `dv2g bench import`: how fast telegrams are framed and parsed, how fast a large CSV log is
// imported (in a fresh process, so its peak memory is the import's own), and how the import of a
// log of telegram starts that never end grows with its size, against a straight line.
import { spawnSync } from 'node:child_process'
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openDatabase } from '../db/connection'
import { parseTelegram } from './dsmr'
import { TelegramFramer } from './framer'
import { importFile } from './importer'
import { ReadingStore } from './readingStore'
import { newSimulatedMeter, nextTelegram } from './simulator'

export interface StartsWithoutEndsPoint {
  bytes: number
  ms: number
  /** the smallest size's time scaled to this size: what a linear import takes */
  linearMs: number
}

export interface ImportBench {
  telegramsPerSecond: number
  csvRowsPerSecond: number
  csvRows: number
  csvSeconds: number
  peakRssMB: number
  startsWithoutEnds: StartsWithoutEndsPoint[]
  /** the longest the event loop went without a turn during the largest of those imports (least of three runs) */
  startsWithoutEndsMaxStallMs: number
}

const STARTS_SIZES = [32 * 1024, 128 * 1024, 1024 * 1024, 8 * 1024 * 1024]

/**
 * One telegram, then "/" lines: every one starts a telegram that the next cuts off. Each size is
 * imported three times and the quickest counts; a timer ticking meanwhile measures the longest
 * stretch the importing process could not answer anything else, and of the largest size's three
 * runs the least such stretch counts too (a busy machine only adds to both).
 */
async function startsWithoutEnds(dir: string): Promise<Pick<ImportBench, 'startsWithoutEnds' | 'startsWithoutEndsMaxStallMs'>> {
  const telegram = nextTelegram(newSimulatedMeter(), new Date(Date.UTC(2026, 5, 1)), 1)
  const db = openDatabase(join(dir, 'starts.sqlite'))
  const store = new ReadingStore(db)
  const points: StartsWithoutEndsPoint[] = []
  let maxStallMs = Number.POSITIVE_INFINITY
  const write = (bytes: number) => {
    const file = join(dir, `starts-${bytes}.log`)
    writeFileSync(file, telegram + '/\n'.repeat(Math.floor((bytes - telegram.length) / 2)), 'latin1')
    return file
  }
  try {
    const warmUp = write(1024 * 1024) // so the smallest size, the reference, is not timed cold
    for (let run = 0; run < 3; run++) await importFile(store, warmUp)
    for (const bytes of STARTS_SIZES) {
      const file = write(bytes)
      let best = Number.POSITIVE_INFINITY
      for (let run = 0; run < 3; run++) {
        let last = performance.now()
        let stall = 0
        const ticks = setInterval(() => {
          const now = performance.now()
          stall = Math.max(stall, now - last)
          last = now
        }, 1)
        const began = performance.now()
        await importFile(store, file)
        best = Math.min(best, performance.now() - began)
        clearInterval(ticks)
        if (bytes === STARTS_SIZES.at(-1)) maxStallMs = Math.min(maxStallMs, Math.max(stall, performance.now() - last))
      }
      points.push({ bytes, ms: best, linearMs: points.length ? (points[0]!.ms * bytes) / points[0]!.bytes : best })
    }
  } finally {
    db.close()
  }
  return { startsWithoutEnds: points, startsWithoutEndsMaxStallMs: maxStallMs }
}

/** Frames and parses `count` simulated DSMR 5 telegrams arriving as one stream. */
function telegramRate(count: number): number {
  const meter = newSimulatedMeter()
  const start = Date.UTC(2026, 5, 1)
  const stream = Array.from({ length: count }, (_, i) => nextTelegram(meter, new Date(start + i * 1000), 1)).join('')
  const began = performance.now()
  const framer = new TelegramFramer()
  let parsed = 0
  for (let at = 0; at < stream.length; at += 65_536)
    for (const frame of framer.push(stream.slice(at, at + 65_536)).frames) if (parseTelegram(frame.text).ok) parsed++
  const seconds = (performance.now() - began) / 1000
  if (parsed !== count) throw new Error(`parsed ${parsed} of ${count} telegrams`)
  return count / seconds
}

async function writeCsv(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path)
  const start = Date.UTC(2025, 0, 1)
  out.write('meter_id;timestamp;import_kwh;export_kwh\n')
  let lines: string[] = []
  for (let i = 0; i < rows; i++) {
    const meter = i % 200
    const k = Math.floor(i / 200)
    lines.push(
      `EAN${meter};${new Date(start + k * 900_000).toISOString()};${(k * 0.21).toFixed(3).replace('.', ',')};${(k * 0.07).toFixed(3).replace('.', ',')}`
    )
    if (lines.length === 10_000) {
      if (!out.write(`${lines.join('\n')}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()))
      lines = []
    }
  }
  out.end(lines.length ? `${lines.join('\n')}\n` : '')
  await new Promise<void>((resolve) => out.once('finish', () => resolve()))
}

export async function benchImport(note: (line: string) => void, csvRows = 1_000_000): Promise<ImportBench> {
  for (let i = 0; i < 3; i++) telegramRate(5_000) // warm up the JIT
  const telegramsPerSecond = telegramRate(50_000)
  note(`DSMR telegrams framed, CRC-checked and parsed: ${Math.round(telegramsPerSecond)} per second`)

  const dir = mkdtempSync(join(tmpdir(), 'dv2g-bench-import-'))
  try {
    const file = join(dir, 'readings.csv')
    await writeCsv(file, csvRows)
    note(`importing ${csvRows} CSV rows in a fresh process...`)
    const probe = fileURLToPath(new URL('./importProbe.ts', import.meta.url))
    const run = spawnSync(process.execPath, ['--import', 'tsx', probe, file, join(dir, 'bench.sqlite')], {
      encoding: 'utf8',
      timeout: 300_000
    })
    if (run.status !== 0) throw new Error(`the import probe failed: ${run.stderr}`)
    const probed = JSON.parse(run.stdout) as { seconds: number; rows: number; rejected: number; peakRssMB: number }
    if (probed.rows !== csvRows) throw new Error(`imported ${probed.rows} of ${csvRows} rows (${probed.rejected} rejected)`)
    note('importing logs of telegram starts without ends, 32 KiB to 8 MiB...')
    const starts = await startsWithoutEnds(dir)
    return {
      telegramsPerSecond,
      csvRowsPerSecond: csvRows / probed.seconds,
      csvRows,
      csvSeconds: probed.seconds,
      peakRssMB: probed.peakRssMB,
      ...starts
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
