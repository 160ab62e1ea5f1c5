// Number, size and time formats shared by the views.

/**
 * A number to `digits` significant digits as plain text a reader (and a test) can parse back:
 * 0.14236, 2.9094, 57600; exponent form only for very small or very large magnitudes.
 */
export function significant(value: number, digits = 5): string {
  if (!Number.isFinite(value)) return String(value)
  if (value === 0) return '0'
  const magnitude = Math.abs(value)
  const fixed = value.toPrecision(digits)
  if (magnitude >= 1e-4 && magnitude < 1e21 && fixed.includes('e')) return Math.round(Number(fixed)).toString()
  return fixed
}

export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`
}

export function formatInteger(value: number): string {
  return value.toLocaleString('en-US')
}

/** "1 table", "3 tables", "1,204 rows". */
export function plural(count: number, noun: string): string {
  return `${formatInteger(count)} ${noun}${count === 1 ? '' : 's'}`
}

/** Elapsed time as "3 d 04 h", "2 h 05 min", "4 min 09 s" or "12 s". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  const pad = (n: number) => String(n).padStart(2, '0')
  const days = Math.floor(s / 86_400)
  const hours = Math.floor((s % 86_400) / 3600)
  const minutes = Math.floor((s % 3600) / 60)
  const seconds = s % 60
  if (days > 0) return `${days} d ${pad(hours)} h`
  if (hours > 0) return `${hours} h ${pad(minutes)} min`
  if (minutes > 0) return `${minutes} min ${pad(seconds)} s`
  return `${seconds} s`
}

/** Local wall-clock time, seconds included: what an operator compares with other screens. */
export function formatTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
}

export function formatDateTime(iso: string): string {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${formatTime(date)}`
}

/** Base units as the ledger counts them, a decimal string of any size, grouped by thousands. */
export function formatBaseUnits(amount: string): string {
  return amount.replace(/\B(?=(\d{3})+(?!\d))/g, '\u2009')
}

/** A long hex id shortened for tables: first and last characters. */
export function shortId(id: string, keep = 8): string {
  return id.length <= keep * 2 ? id : `${id.slice(0, keep)}…${id.slice(-4)}`
}

/** A transaction's status in words: "preconfirmed" is the walk's pre-confirmation, not yet final. */
export function statusLabel(status: string): string {
  return status === 'preconfirmed' ? 'pre-confirmed' : status
}
