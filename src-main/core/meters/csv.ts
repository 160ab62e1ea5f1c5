// Interval data from CSV meter logs: meter id, timestamp, import kWh, export kWh. Comma,
// semicolon or tab separated; a decimal comma where the separator allows it; an optional header
// (columns found by name) and BOM; timestamps with a UTC offset, or local in a stated time zone.
import { nameProblem } from '../../../src-shared/names'
import { instantsOf } from './timeZone'

export interface MeterRow {
  meterId: string
  tsMs: number
  importWh: number
  exportWh: number
}

export type RowOutcome = { row: MeterRow } | { error: string } | null

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/
const NUMBER = /^-?\d+(?:\.\d+)?$/

type Column = 'meter' | 'timestamp' | 'import' | 'export'
const HEADER_NAMES: Record<Column, RegExp> = {
  meter: /meter|ean|^id$/i,
  timestamp: /time|date|^ts$/i,
  import: /import|deliver|consum|afname|bezug/i,
  export: /export|return|inject|produc|teruglever|einspeis/i
}

function splitLine(line: string, separator: string): string[] {
  if (!line.includes('"')) return line.split(separator).map((c) => c.trim())
  const cells: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (c === '"') {
      if (quoted && line[i + 1] === '"') cell += line[++i]
      else quoted = !quoted
    } else if (c === separator && !quoted) {
      cells.push(cell.trim())
      cell = ''
    } else cell += c
  }
  cells.push(cell.trim())
  return cells
}

export class CsvRowReader {
  private separator: string | null = null
  private columns: Record<Column, number> = { meter: 0, timestamp: 1, import: 2, export: 3 }
  private readonly lastTs = new Map<string, number>()

  constructor(private readonly timeZone?: string) {}

  /** One line of the file; null for a header or a blank line. */
  read(rawLine: string, lineNumber: number): RowOutcome {
    const line = lineNumber === 1 ? rawLine.replace(/^\uFEFF/, '') : rawLine
    if (line.trim() === '') return null
    if (this.separator === null) {
      this.separator = [';', '\t', ','].reduce((best, s) => (line.split(s).length > line.split(best).length ? s : best), ',')
      const cells = splitLine(line, this.separator)
      if (!this.numeric(cells[2] ?? '') && !this.numeric(cells[3] ?? '')) {
        this.mapHeader(cells)
        return null
      }
    }
    const cells = splitLine(line, this.separator)
    if (cells.length < 4) return { error: `expected 4 columns (meter id, timestamp, import kWh, export kWh), found ${cells.length}` }
    const meterId = cells[this.columns.meter]!
    const idProblem = nameProblem('meter id', meterId)
    if (idProblem) return { error: idProblem }
    const importKWh = this.number(cells[this.columns.import]!)
    const exportKWh = this.number(cells[this.columns.export]!)
    if (importKWh === null) return { error: `import kWh must be a number of at least 0 (got "${cells[this.columns.import]}")` }
    if (exportKWh === null) return { error: `export kWh must be a number of at least 0 (got "${cells[this.columns.export]}")` }
    const tsMs = this.timestamp(meterId, cells[this.columns.timestamp]!)
    if (typeof tsMs === 'string') return { error: tsMs }
    this.lastTs.set(meterId, tsMs)
    return { row: { meterId, tsMs, importWh: Math.round(importKWh * 1000), exportWh: Math.round(exportKWh * 1000) } }
  }

  private mapHeader(cells: string[]): void {
    const found: Partial<Record<Column, number>> = {}
    for (const column of Object.keys(HEADER_NAMES) as Column[]) {
      const index = cells.findIndex((cell, i) => HEADER_NAMES[column].test(cell) && !Object.values(found).includes(i))
      if (index >= 0) found[column] = index
    }
    if (Object.keys(found).length === 4) this.columns = found as Record<Column, number>
  }

  private numeric(cell: string): boolean {
    return this.number(cell) !== null
  }

  /** A decimal comma reads as a point (with commas between columns it can only be a quoted one). */
  private number(cell: string): number | null {
    const text = cell.replace(',', '.')
    if (!NUMBER.test(text)) return null
    const value = Number(text)
    return value >= 0 ? value : null
  }

  /** UTC ms, or the reason the timestamp cannot be placed in time. */
  private timestamp(meterId: string, cell: string): number | string {
    const m = TIMESTAMP.exec(cell)
    if (!m) return `timestamp "${cell}" is not YYYY-MM-DD hh:mm[:ss][offset]`
    const [year, month, day, hour, minute] = m.slice(1, 6).map(Number) as [number, number, number, number, number]
    const second = Number(m[6] ?? 0)
    const wall = Date.UTC(year, month - 1, day, hour, minute, second)
    const check = new Date(wall)
    if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59)
      return `timestamp "${cell}" is not a real date and time`
    const offset = m[7]
    if (offset) {
      if (offset === 'Z') return wall
      const sign = offset.startsWith('-') ? -1 : 1
      const digits = offset.slice(1).replace(':', '')
      return wall - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000
    }
    if (!this.timeZone) return `timestamp "${cell}" has no UTC offset: state the log's time zone (e.g. --tz Europe/Amsterdam)`
    const instants = instantsOf(this.timeZone, wall)
    if (instants.length === 0) return `${cell} does not exist in ${this.timeZone}: the clocks went forward over it`
    // the repeated hour: the second pass comes after a reading already in it
    const previous = this.lastTs.get(meterId)
    return instants.length > 1 && previous !== undefined && previous >= instants[0]! ? instants[1]! : instants[0]!
  }
}
