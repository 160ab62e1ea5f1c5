// Importing meter logs (from USB sticks): CSV interval data or DSMR telegram logs. A file is read
// as a stream, every bad line is kept with its line number and reason while the rest goes on,
// and the file's readings are written in one database transaction: a file is in, or it is not.
// Only a regular file is read, and only as far as its size when opened, in bounded memory: a
// device, a FIFO or a file with no line breaks cannot keep an import going or growing forever.
import { constants, lstatSync, type Stats } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import { CsvRowReader } from './csv'
import { parseTelegram } from './dsmr'
import { TelegramFramer, type Frame } from './framer'
import { fsReason, kindOfEntry } from './fileKinds'
import { LineCounter } from './lineCounter'
import { LineSplitter, MAX_LINE_BYTES, type SplitLine } from './lineSplitter'
import { ReadingColumns, type Reading, type ReadingStore, type StoredBatch } from './readingStore'
import { Dv2gError } from '../../../src-shared/errors'

/** What is read between two turns of the event loop: a few milliseconds of work. */
const SLICE_BYTES = 16_384

/** Reported per file; beyond this many, bad lines are counted, not listed. */
export const MAX_LISTED_REJECTIONS = 100
/** a reason quotes the cell at fault: one of a 64 KiB line is cut to what a reader takes in */
const MAX_REASON_CHARS = 200

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

/** A file that cannot be imported at all (gone, not a regular file, unreadable): the rest of an import goes on without it. */
export class UnreadableLog extends Dv2gError {
  constructor(
    readonly path: string,
    readonly reason: string
  ) {
    super('malformed', `${path}: ${reason}`)
  }
}

/**
 * Opens a regular file for reading. The path is checked with lstat before it is opened (opening a
 * device can have effects of its own), and the open descriptor is checked again, since the path
 * may have changed in between; O_NONBLOCK keeps a FIFO put there meanwhile from blocking the open.
 */
async function openRegularFile(path: string): Promise<{ handle: FileHandle; size: number }> {
  let stat: Stats
  try {
    stat = lstatSync(path)
  } catch (error) {
    throw new UnreadableLog(path, fsReason(error))
  }
  if (!stat.isFile()) throw new UnreadableLog(path, `it is ${kindOfEntry(stat)}, not a regular file`)
  let handle: FileHandle
  try {
    // O_NOFOLLOW and O_NONBLOCK do not exist on Windows, where neither FIFOs nor devices have paths like these
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0))
  } catch (error) {
    throw new UnreadableLog(path, fsReason(error))
  }
  const opened = await handle.stat()
  if (!opened.isFile()) {
    await handle.close()
    throw new UnreadableLog(path, `it is ${kindOfEntry(opened)}, not a regular file`)
  }
  return { handle, size: opened.size }
}

/** DSMR logs hold telegrams: a line that starts with "/" and one that starts with "!". */
function looksLikeDsmr(head: string): boolean {
  return /(^|\n)\/[^\r\n]*\r?\n/.test(head) && /\n![0-9A-Fa-f]{0,4}\r?\n/.test(head)
}

export async function importFile(store: ReadingStore, path: string, options: ImportOptions = {}): Promise<FileImport> {
  const { handle, size: bytesTotal } = await openRegularFile(path)
  const readings = new ReadingColumns()
  const rejected: FileImport['rejected'] = []
  let rejectedCount = 0
  const reject = (line: number, reason: string) => {
    rejectedCount++
    // a log of bad lines, each quoted in full, made a result of hundreds of megabytes that no
    // channel, socket or terminal should carry
    if (rejected.length < MAX_LISTED_REJECTIONS)
      rejected.push({
        line,
        reason: reason.length > MAX_REASON_CHARS ? `${reason.slice(0, MAX_REASON_CHARS)}… (${reason.length} characters)` : reason
      })
  }

  let kind: 'csv' | 'dsmr' | null = null
  let bytesRead = 0
  let lastProgress = 0
  // CSV state
  const csv = new CsvRowReader(options.timeZone)
  const lines = new LineSplitter()
  // DSMR state: line numbers of telegram starts come from counting line breaks up to them, in
  // stream order (the framer reports starts in that order), so each break is counted once
  const framer = new TelegramFramer()
  const lineCounter = new LineCounter()
  const takeFrame = (frame: Frame) => {
    const outcome = parseTelegram(frame.text)
    const line = () => lineCounter.lineAt(frame.offset)
    if (!outcome.ok) reject(line(), outcome.reason)
    else if (!outcome.telegram.timestamp) reject(line(), 'the telegram has no timestamp (DSMR 2.2), so it cannot be placed in a log')
    else if (!outcome.telegram.meterId) reject(line(), 'the telegram names no meter')
    else if (outcome.telegram.electricity.deliveredKWh.total === null) reject(line(), 'the telegram has no electricity registers')
    else readings.push(telegramReading(outcome.telegram as Parameters<typeof telegramReading>[0]))
  }
  const takeTelegrams = ({ frames, dropped }: ReturnType<TelegramFramer['push']>) => {
    // the two lists, each in stream order, merged into one
    for (let f = 0, d = 0; f < frames.length || d < dropped.length;) {
      if (d < dropped.length && (f >= frames.length || dropped[d]!.offset < frames[f]!.offset)) {
        const { offset, reason } = dropped[d++]!
        reject(lineCounter.lineAt(offset), reason)
      } else takeFrame(frames[f++]!)
    }
    // the text before what the framer still holds is never asked about again
    lineCounter.forgetBefore(framer.heldFrom)
  }
  const readCsvLine = (line: SplitLine): void => {
    if ('tooLong' in line) return reject(line.number, `the line is longer than ${MAX_LINE_BYTES / 1024} KiB: not a line of a meter log`)
    const outcome = csv.read(line.text.endsWith('\r') ? line.text.slice(0, -1) : line.text, line.number)
    if (outcome === null) return
    if ('error' in outcome) reject(line.number, outcome.error)
    else readings.push(outcome.row)
  }

  try {
    // no further than the size it had when opened: a log still being written is read up to there
    if (bytesTotal > 0) {
      for await (const chunk of handle.createReadStream({ start: 0, end: bytesTotal - 1, highWaterMark: 1 << 20, autoClose: false })) {
        const bytes = chunk as Buffer
        kind ??= looksLikeDsmr(bytes.subarray(0, 65_536).toString('latin1')) ? 'dsmr' : 'csv'
        // a read in slices, with a turn of the event loop between them: the process that imports
        // is the data dir's owner and keeps answering its other callers meanwhile
        for (let at = 0; at < bytes.length; at += SLICE_BYTES) {
          const slice = bytes.subarray(at, at + SLICE_BYTES)
          if (kind === 'dsmr') {
            const data = slice.toString('latin1')
            lineCounter.append(data)
            takeTelegrams(framer.push(data))
          } else lines.push(slice, readCsvLine)
          bytesRead += slice.length
          if (options.onProgress && performance.now() - lastProgress > 100) {
            lastProgress = performance.now()
            options.onProgress({ path, bytesRead, bytesTotal, phase: 'reading' })
          }
          await yieldToEventLoop()
        }
      }
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === undefined) throw error // ours, not the file's
    throw new UnreadableLog(path, `reading it failed after ${bytesRead} bytes: ${fsReason(error)}`)
  } finally {
    await handle.close()
  }
  if (kind === 'dsmr') for (const d of framer.end()) reject(lineCounter.lineAt(d.offset), d.reason)
  else lines.end(readCsvLine)

  options.onProgress?.({ path, bytesRead, bytesTotal, phase: 'writing' })
  const stored = store.store(readings, path)
  options.onProgress?.({ path, bytesRead: bytesTotal, bytesTotal, phase: 'done' })
  return { path, kind: kind ?? 'csv', ...stored, rejected, rejectedCount }
}

/** A telegram's registers as a reading: all tariffs together, Wh and W. */
export function telegramReading(t: {
  meterId: string
  timestamp: string
  electricity: {
    deliveredKWh: { total: number | null }
    returnedKWh: { total: number | null }
    powerDeliveredKW: number | null
    powerReturnedKW: number | null
  }
}): Reading {
  const e = t.electricity
  return {
    meterId: t.meterId,
    tsMs: Date.parse(t.timestamp),
    importWh: Math.round((e.deliveredKWh.total ?? 0) * 1000),
    exportWh: Math.round((e.returnedKWh.total ?? 0) * 1000),
    powerW: e.powerDeliveredKW === null ? null : Math.round((e.powerDeliveredKW - (e.powerReturnedKW ?? 0)) * 1000)
  }
}
