// Importing meter logs (from USB sticks): CSV interval data or DSMR telegram logs. A file is read
// as a stream, every bad line is kept with its line number and reason while the rest goes on,
// and the file's readings are written in one database transaction: a file is in, or it is not.
import { createReadStream, statSync } from 'node:fs'
import { StringDecoder } from 'node:string_decoder'
import { CsvRowReader } from './csv'
import { parseTelegram } from './dsmr'
import { TelegramFramer } from './framer'
import { ReadingColumns, type Reading, type ReadingStore, type StoredBatch } from './readingStore'

/** Reported per file; beyond this many, bad lines are counted, not listed. */
export const MAX_LISTED_REJECTIONS = 1000

export interface FileImport extends StoredBatch {
  path: string
  kind: 'csv' | 'dsmr'
  rejected: { line: number; reason: string }[]
  rejectedCount: number
}

export interface ImportProgress {
  path: string
  bytesRead: number
  bytesTotal: number
  phase: 'reading' | 'writing' | 'done'
}

export interface ImportOptions {
  /** IANA zone of CSV timestamps written without a UTC offset */
  timeZone?: string
  onProgress?: (progress: ImportProgress) => void
}

/** DSMR logs hold telegrams: a line that starts with "/" and one that starts with "!". */
function looksLikeDsmr(head: string): boolean {
  return /(^|\n)\/[^\r\n]*\r?\n/.test(head) && /\n![0-9A-Fa-f]{0,4}\r?\n/.test(head)
}

export async function importFile(store: ReadingStore, path: string, options: ImportOptions = {}): Promise<FileImport> {
  const bytesTotal = statSync(path).size
  const readings = new ReadingColumns()
  const rejected: FileImport['rejected'] = []
  let rejectedCount = 0
  const reject = (line: number, reason: string) => {
    rejectedCount++
    if (rejected.length < MAX_LISTED_REJECTIONS) rejected.push({ line, reason })
  }

  let kind: 'csv' | 'dsmr' | null = null
  let bytesRead = 0
  let lastProgress = 0
  // CSV state
  const csv = new CsvRowReader(options.timeZone)
  let pending = ''
  let lineNumber = 0
  // DSMR state: line numbers of telegram starts come from counting line breaks up to them
  const framer = new TelegramFramer()
  let linesBefore = 0
  let text = ''
  let textBase = 0
  const lineOf = (offset: number) => {
    let line = linesBefore + 1
    for (let i = text.indexOf('\n'); i >= 0 && i < offset - textBase; i = text.indexOf('\n', i + 1)) line++
    return line
  }
  const takeTelegrams = (found: ReturnType<TelegramFramer['push']>) => {
    for (const d of found.dropped) reject(lineOf(d.offset), d.reason)
    for (const frame of found.frames) {
      const outcome = parseTelegram(frame.text)
      if (!outcome.ok) reject(lineOf(frame.offset), outcome.reason)
      else if (!outcome.telegram.timestamp) reject(lineOf(frame.offset), 'the telegram has no timestamp (DSMR 2.2), so it cannot be placed in a log')
      else if (!outcome.telegram.meterId) reject(lineOf(frame.offset), 'the telegram names no meter')
      else if (outcome.telegram.electricity.deliveredKWh.total === null) reject(lineOf(frame.offset), 'the telegram has no electricity registers')
      else readings.push(telegramReading(outcome.telegram as Parameters<typeof telegramReading>[0]))
    }
    // forget the text before the oldest telegram still open, counting its lines
    const keepFrom = Math.max(0, text.length - 20_000)
    for (let i = text.indexOf('\n'); i >= 0 && i < keepFrom; i = text.indexOf('\n', i + 1)) linesBefore++
    text = text.slice(keepFrom)
    textBase += keepFrom
  }

  const utf8 = new StringDecoder('utf8') // a character split between two reads stays whole
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const bytes = chunk as Buffer
    kind ??= looksLikeDsmr(bytes.subarray(0, 65_536).toString('latin1')) ? 'dsmr' : 'csv'
    bytesRead += bytes.length
    if (kind === 'dsmr') {
      const data = bytes.toString('latin1')
      text += data
      takeTelegrams(framer.push(data))
    } else {
      const lines = (pending + utf8.write(bytes)).split('\n')
      pending = lines.pop()!
      for (const line of lines) readCsvLine(line)
    }
    if (options.onProgress && performance.now() - lastProgress > 100) {
      lastProgress = performance.now()
      options.onProgress({ path, bytesRead, bytesTotal, phase: 'reading' })
    }
  }
  if (kind === 'dsmr') for (const d of framer.end()) reject(lineOf(d.offset), d.reason)
  else {
    pending += utf8.end()
    if (pending) readCsvLine(pending)
  }

  function readCsvLine(line: string): void {
    lineNumber++
    const outcome = csv.read(line.endsWith('\r') ? line.slice(0, -1) : line, lineNumber)
    if (outcome === null) return
    if ('error' in outcome) reject(lineNumber, outcome.error)
    else readings.push(outcome.row)
  }

  options.onProgress?.({ path, bytesRead, bytesTotal, phase: 'writing' })
  const stored = store.store(readings, path)
  options.onProgress?.({ path, bytesRead: bytesTotal, bytesTotal, phase: 'done' })
  return { path, kind: kind ?? 'csv', ...stored, rejected, rejectedCount }
}

/** A telegram's registers as a reading: all tariffs together, Wh and W. */
export function telegramReading(t: { meterId: string; timestamp: string; electricity: { deliveredKWh: { total: number | null }; returnedKWh: { total: number | null }; powerDeliveredKW: number | null; powerReturnedKW: number | null } }): Reading {
  const e = t.electricity
  return {
    meterId: t.meterId,
    tsMs: Date.parse(t.timestamp),
    importWh: Math.round((e.deliveredKWh.total ?? 0) * 1000),
    exportWh: Math.round((e.returnedKWh.total ?? 0) * 1000),
    powerW: e.powerDeliveredKW === null ? null : Math.round((e.powerDeliveredKW - (e.powerReturnedKW ?? 0)) * 1000)
  }
}
