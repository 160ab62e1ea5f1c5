import { SerialPort } from 'serialport'
import { readFileSync } from 'node:fs'
import { parseTelegram, type DsmrTelegram } from '../../core/meters/dsmr'
import { TelegramFramer, type Dropped, type Frame } from '../../core/meters/framer'
import { DSMR4_SETTINGS, DSMR5_SETTINGS, SerialLink, type SerialSettings } from '../../core/meters/serialLink'
import { newSimulatedMeter, nextTelegram } from '../../core/meters/simulator'
import { numberOption, parseArgs, requireOption, stringOption, UsageError, type ParsedArgs } from '../args'
import type { Output } from '../output'

export const meterUsage = `dv2g meter parse FILE --protocol dsmr | read --port P --protocol dsmr [--count N] [--timeout S] | simulate --port P --protocol dsmr [--interval S] [--count N]
  parse: the telegrams in a file (a P1 capture or log), and every rejected one with its byte offset and reason.
  read: N telegrams from a live serial port (DSMR 5: 115200 8N1; --dsmr4 for 9600 7E1).
  simulate: a DSMR 5 meter writing telegrams with valid CRCs to a port, counters following a
    household's load and a PV's sun, every --interval seconds (default 1); with an interval below
    a second the meter's clock still moves a second per telegram.`

function protocolOf(args: ParsedArgs): SerialSettings {
  const protocol = requireOption(stringOption(args, 'protocol'), 'protocol')
  if (protocol !== 'dsmr') throw new UsageError(`--protocol must be dsmr (got ${JSON.stringify(protocol)})`)
  return args.options.has('dsmr4') ? DSMR4_SETTINGS : DSMR5_SETTINGS
}

interface Collected {
  telegrams: DsmrTelegram[]
  rejected: { offset: number; reason: string }[]
}

function collect(into: Collected, frames: Frame[], dropped: Dropped[]): void {
  into.rejected.push(...dropped)
  for (const frame of frames) {
    const outcome = parseTelegram(frame.text)
    if (outcome.ok) into.telegrams.push(outcome.telegram)
    else into.rejected.push({ offset: frame.offset, reason: outcome.reason })
  }
}

function human(result: Collected): string {
  const lines = result.telegrams.map(
    (t) =>
      `${t.timestamp ?? '(no time)'}  ${t.meterId ?? '(no id)'}  in ${t.electricity.deliveredKWh.total ?? '—'} kWh  out ${t.electricity.returnedKWh.total ?? '—'} kWh  ` +
      `${t.electricity.powerDeliveredKW ?? '—'}/${t.electricity.powerReturnedKW ?? '—'} kW  crc ${t.crcValid === null ? 'none (DSMR 2.2)' : t.crcValid ? 'ok' : 'bad'}${t.gas ? `  gas ${t.gas.m3} m3` : ''}`
  )
  for (const r of result.rejected) lines.push(`rejected at byte ${r.offset}: ${r.reason}`)
  lines.push(`${result.telegrams.length} telegrams, ${result.rejected.length} rejected`)
  return lines.join('\n')
}

function runParse(argv: readonly string[], out: Output): number {
  const args = parseArgs(argv, { protocol: { value: true } })
  protocolOf(args)
  const [file, ...extra] = args.positionals
  if (!file) throw new UsageError('meter parse needs a FILE')
  if (extra.length) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`)
  let bytes: Buffer
  try {
    bytes = readFileSync(file)
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
  }
  const framer = new TelegramFramer()
  const result: Collected = { telegrams: [], rejected: [] }
  const { frames, dropped } = framer.push(bytes)
  collect(result, frames, [...dropped, ...framer.end()])
  out.result(result, () => human(result))
  return 0
}

function positiveNumber(args: ParsedArgs, name: string, fallback: number): number {
  const value = numberOption(args, name) ?? fallback
  if (!(value > 0)) throw new UsageError(`--${name} must be greater than 0 (got ${value})`)
  return value
}

async function runRead(argv: readonly string[], out: Output): Promise<number> {
  const args = parseArgs(argv, {
    port: { value: true },
    protocol: { value: true },
    count: { value: true },
    timeout: { value: true },
    dsmr4: { value: false }
  })
  const settings = protocolOf(args)
  const path = requireOption(stringOption(args, 'port'), 'port')
  const count = positiveNumber(args, 'count', 1)
  const timeoutMs = positiveNumber(args, 'timeout', 60) * 1000
  const result: Collected = { telegrams: [], rejected: [] }
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      link.stop()
      reject(
        new Error(
          `${path}: ${result.telegrams.length} of ${count} telegrams within ${timeoutMs / 1000} s${link.detail ? ` (${link.detail})` : ''}`
        )
      )
    }, timeoutMs)
    const link = new SerialLink(path, settings, {
      onFrame: (frame) => {
        collect(result, [frame], [])
        if (result.telegrams.length >= count) {
          clearTimeout(timer)
          link.stop()
          resolve()
        }
      },
      onDropped: (d) => result.rejected.push(d),
      onStatus: (status, detail) => out.note(`${path}: ${status}${detail ? ` (${detail})` : ''}`)
    })
    link.start()
  })
  out.result(result, () => human(result))
  return 0
}

async function runSimulate(argv: readonly string[], out: Output): Promise<number> {
  const args = parseArgs(argv, {
    port: { value: true },
    protocol: { value: true },
    interval: { value: true },
    count: { value: true },
    'meter-id': { value: true },
    dsmr4: { value: false }
  })
  const settings = protocolOf(args)
  const path = requireOption(stringOption(args, 'port'), 'port')
  const intervalMs = positiveNumber(args, 'interval', 1) * 1000
  const count = numberOption(args, 'count')
  const meter = newSimulatedMeter(stringOption(args, 'meter-id'))
  const secondsPerTelegram = Math.max(1, Math.round(intervalMs / 1000))
  let meterClockMs = Math.floor(Date.now() / 1000) * 1000
  let sent = 0
  // the simulator reconnects like the bridge does, so a test can pull the cable on either side
  let port: SerialPort | null = null
  let connecting = false
  const connect = () => {
    connecting = true
    const candidate = new SerialPort({ path, ...settings, autoOpen: false })
    candidate.on('error', () => {})
    candidate.on('close', () => (port = null))
    candidate.open((error) => {
      connecting = false
      if (error) out.note(`${path}: ${error.message}; retrying`)
      else port = candidate
    })
  }
  connect()
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      if (!port) return void (connecting || connect())
      meterClockMs += secondsPerTelegram * 1000
      port.write(nextTelegram(meter, new Date(meterClockMs), secondsPerTelegram))
      sent++
      if (count !== undefined && sent >= count) {
        clearInterval(tick)
        port.drain(() => resolve())
      }
    }, intervalMs)
    process.once('SIGTERM', () => (clearInterval(tick), resolve()))
    process.once('SIGINT', () => (clearInterval(tick), resolve()))
  })
  out.result({ sent, meterId: meter.meterId }, () => `${sent} telegrams written to ${path} as meter ${meter.meterId}`)
  return 0
}

export async function runMeter(argv: readonly string[], out: Output): Promise<number> {
  const [sub, ...rest] = argv
  if (sub === 'parse') return runParse(rest, out)
  if (sub === 'read') return runRead(rest, out)
  if (sub === 'simulate') return runSimulate(rest, out)
  throw new UsageError(
    sub ? `unknown meter command ${JSON.stringify(sub)}; use parse, read or simulate` : 'meter needs a command: parse, read or simulate'
  )
}
