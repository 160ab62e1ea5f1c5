// `dv2g bench import`: how fast telegrams are framed and parsed, and how fast a large CSV log is
// imported (in a fresh process, so its peak memory is the import's own).
import { spawnSync } from 'node:child_process'
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseTelegram } from './dsmr'
import { TelegramFramer } from './framer'
import { newSimulatedMeter, nextTelegram } from './simulator'

export interface ImportBench {
  telegramsPerSecond: number
  csvRowsPerSecond: number
  csvRows: number
  csvSeconds: number
  peakRssMB: number
}

/** Frames and parses `count` simulated DSMR 5 telegrams arriving as one stream. */
function telegramRate(count: number): number {
  const meter = newSimulatedMeter()
  const start = Date.UTC(2026, 5, 1)
  const stream = Array.from({ length: count }, (_, i) => nextTelegram(meter, new Date(start + i * 1000), 1)).join('')
  const began = performance.now()
  const framer = new TelegramFramer()
  let parsed = 0
  for (let at = 0; at < stream.length; at += 65_536) for (const frame of framer.push(stream.slice(at, at + 65_536)).frames) if (parseTelegram(frame.text).ok) parsed++
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
    lines.push(`EAN${meter};${new Date(start + k * 900_000).toISOString()};${(k * 0.21).toFixed(3).replace('.', ',')};${(k * 0.07).toFixed(3).replace('.', ',')}`)
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
    const run = spawnSync(process.execPath, ['--import', 'tsx', probe, file, join(dir, 'bench.sqlite')], { encoding: 'utf8', timeout: 300_000 })
    if (run.status !== 0) throw new Error(`the import probe failed: ${run.stderr}`)
    const probed = JSON.parse(run.stdout) as { seconds: number; rows: number; rejected: number; peakRssMB: number }
    if (probed.rows !== csvRows) throw new Error(`imported ${probed.rows} of ${csvRows} rows (${probed.rejected} rejected)`)
    return { telegramsPerSecond, csvRowsPerSecond: csvRows / probed.seconds, csvRows, csvSeconds: probed.seconds, peakRssMB: probed.peakRssMB }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
