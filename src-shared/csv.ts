// Every CSV the app writes goes through here. Fields are quoted as RFC 4180 says (a comma, a quote
// or a line break inside a field would otherwise shift the columns), and a text cell that a
// spreadsheet would evaluate as a formula gets a leading single quote, as OWASP's CSV injection
// rule says: ids and names come from scenario files and peers, and `=HYPERLINK(…)` must stay text.

export type CsvValue = string | number

/** What spreadsheets read as the start of a formula (or, for tab and CR, hide one behind). */
const FORMULA_START = /^[=+\-@\t\r]/
/** A plain number stays a number: "-3.5" is a value, not a formula. */
const PLAIN_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/
const NEEDS_QUOTES = /[",\r\n]/

/** One field: neutralised when a spreadsheet would evaluate it, then quoted when it must be. */
export function csvField(value: CsvValue): string {
  const text = typeof value === 'number' ? String(value) : value
  const safe = FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe
}

export function csvRecord(values: readonly CsvValue[]): string {
  return values.map(csvField).join(',')
}

/** A header and its rows, one record a line, ending with a line break. */
export function csvText(header: readonly CsvValue[], rows: Iterable<readonly CsvValue[]>): string {
  const lines = [csvRecord(header)]
  for (const row of rows) lines.push(csvRecord(row))
  return `${lines.join('\n')}\n`
}
