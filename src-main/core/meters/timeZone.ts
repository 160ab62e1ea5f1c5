// Wall-clock times of a named time zone to UTC, for meter logs written in local time. On the
// day the clocks go back an hour happens twice (a 25-hour day); on the day they go forward an hour
// does not exist (a 23-hour day): both are reported to the caller rather than guessed.

const formatters = new Map<string, Intl.DateTimeFormat>()

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

/** local − UTC, in ms, of `zone` at the instant utcMs. */
function offsetAt(zone: string, utcMs: number): number {
  let format = formatters.get(zone)
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric'
    })
    formatters.set(zone, format)
  }
  const p = Object.fromEntries(format.formatToParts(new Date(utcMs)).map((x) => [x.type, Number(x.value)]))
  const local = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!)
  return local - Math.floor(utcMs / 1000) * 1000
}

const cache = new Map<string, number[]>()
const QUARTER_HOUR = 900_000

/**
 * The instants at which the zone's clocks show `wallClockMs` (a wall-clock time written as if it
 * were UTC): one normally, two in the repeated hour, none in the skipped one. Earliest first.
 */
export function instantsOf(zone: string, wallClockMs: number): number[] {
  const bucket = Math.floor(wallClockMs / QUARTER_HOUR)
  const key = `${zone}\u0000${bucket}`
  let offsets = cache.get(key)
  if (!offsets) {
    const probe = bucket * QUARTER_HOUR
    const around = [offsetAt(zone, probe - 86_400_000), offsetAt(zone, probe + 86_400_000)]
    offsets = [...new Set(around)].filter((offset) => offsetAt(zone, probe - offset) === offset).sort((a, b) => b - a)
    if (cache.size > 100_000) cache.clear()
    cache.set(key, offsets)
  }
  return offsets.map((offset) => wallClockMs - offset)
}
