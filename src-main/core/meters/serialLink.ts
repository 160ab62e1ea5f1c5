// One serial connection to a meter that survives being unplugged: when the port closes or will
// not open, the link says so and tries again with a growing pause, then resumes reading. Every
// error on the way (opening, raising Data Request, closing, handling a telegram) ends up in the
// link's status detail, where the console shows it: none is dropped.
import { SerialPort } from 'serialport'
import { TelegramFramer, type Dropped, type Frame } from './framer'

export interface SerialSettings {
  baudRate: number
  dataBits: 5 | 6 | 7 | 8
  parity: 'none' | 'even' | 'odd'
  stopBits: 1 | 2
}

/** DSMR 5 meters talk at 115200 8N1; DSMR 2.2 to 4 at 9600 7E1. */
export const DSMR5_SETTINGS: SerialSettings = { baudRate: 115_200, dataBits: 8, parity: 'none', stopBits: 1 }
export const DSMR4_SETTINGS: SerialSettings = { baudRate: 9_600, dataBits: 7, parity: 'even', stopBits: 1 }

export type LinkStatus = 'connecting' | 'connected' | 'disconnected' | 'stopped'

export interface LinkEvents {
  onFrame(frame: Frame): void
  onDropped?(dropped: Dropped): void
  onStatus?(status: LinkStatus, detail: string | null): void
}

/** What the link needs of a port: serialport's SerialPort, or a stand-in in tests. */
export interface PortLike {
  open(callback: (error: Error | null) => void): void
  close(callback?: (error: Error | null) => void): void
  on(event: 'data', listener: (data: Buffer) => void): unknown
  on(event: 'close' | 'error', listener: (error?: Error | null) => void): unknown
  removeAllListeners(): unknown
  /** modem lines; absent or failing on virtual ports */
  set?(options: { dtr?: boolean; rts?: boolean }, callback: (error: Error | null) => void): unknown
  isOpen: boolean
}

export const openSerialPort = (path: string, settings: SerialSettings): PortLike => new SerialPort({ path, ...settings, autoOpen: false })

const FIRST_RETRY_MS = 500
const MAX_RETRY_MS = 30_000

/** Problems that leave the status as it is; each kind shows once, the latest of its kind. */
type Problem = 'dataRequest' | 'telegram' | 'release'

export class SerialLink {
  status: LinkStatus = 'connecting'
  detail: string | null = null
  /** the detail the status came with, before the problems reported since */
  private statusDetail: string | null = null
  private readonly problems = new Map<Problem, string>()
  private port: PortLike | null = null
  private retryMs = FIRST_RETRY_MS
  private timer: NodeJS.Timeout | null = null
  private stopped = false

  constructor(
    readonly path: string,
    readonly settings: SerialSettings,
    private readonly events: LinkEvents,
    private readonly open: (path: string, settings: SerialSettings) => PortLike = openSerialPort
  ) {}

  start(): void {
    this.stopped = false
    this.connect()
  }

  stop(): void {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    const port = this.port
    this.port = null
    this.setStatus('stopped', null)
    this.letGo(port)
  }

  private connect(): void {
    this.setStatus('connecting', null)
    const framer = new TelegramFramer() // a new connection starts a new stream
    let port: PortLike
    try {
      port = this.open(this.path, this.settings)
    } catch (error) {
      // serialport refuses some paths and settings before trying: that is a failed open too
      return this.retryLater((error as Error).message)
    }
    this.port = port
    port.on('data', (data) => {
      this.retryMs = FIRST_RETRY_MS
      const { frames, dropped } = framer.push(data)
      try {
        for (const d of dropped) this.events.onDropped?.(d)
        for (const f of frames) this.events.onFrame(f)
        if (frames.length > 0) this.solved('telegram')
      } catch (error) {
        // thrown here it would end the process: the port goes on, and the operator sees why data is missing
        this.report('telegram', `a telegram could not be handled: ${(error as Error).message}`)
      }
    })
    port.on('close', (error) => this.lost(error?.message ?? 'the port closed'))
    port.on('error', (error) => this.lost(error?.message ?? 'port error'))
    port.open((error) => {
      if (this.port !== port) {
        // stopped or replaced while opening: a port that opened after all is closed again
        if (!error) port.close(this.reportLate('closing the port failed'))
        return
      }
      if (error) return this.lost(error.message)
      this.setStatus('connected', null)
      // raise Data Request (P1 pin 2 is often wired to RTS/DTR); a pty cannot, and says so
      port.set?.({ dtr: true, rts: true }, (setError) => {
        if (setError && this.port === port)
          this.report('dataRequest', `Data Request (DTR/RTS) could not be raised: ${setError.message}; a meter that needs it stays silent`)
      })
    })
  }

  /** The port is gone: let it go and try again later. */
  private lost(reason: string): void {
    if (this.stopped || this.port === null) return
    const port = this.port
    this.port = null
    this.retryLater(reason)
    this.letGo(port)
  }

  /** Each pause twice the last, at most 30 s. */
  private retryLater(reason: string): void {
    if (this.stopped) return
    this.setStatus('disconnected', `${reason}; retrying in ${(this.retryMs / 1000).toFixed(1)} s`)
    this.timer = setTimeout(() => {
      this.timer = null
      if (!this.stopped) this.connect()
    }, this.retryMs)
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS)
  }

  private letGo(port: PortLike | null): void {
    if (!port) return
    port.removeAllListeners()
    port.on('error', this.reportLate('the port failed after it was let go'))
    if (port.isOpen) port.close(this.reportLate('closing the port failed'))
  }

  /** What a port being let go says afterwards is reported while no new port has taken its place. */
  private reportLate(what: string): (error?: Error | null) => void {
    return (error) => {
      if (error && this.port === null) this.report('release', `${what}: ${error.message}`)
    }
  }

  /** A problem that leaves the status as it is: the detail says so until it is solved or the status changes. */
  private report(kind: Problem, problem: string): void {
    this.problems.set(kind, problem)
    this.announce()
  }

  private solved(kind: Problem): void {
    if (this.problems.delete(kind)) this.announce()
  }

  private setStatus(status: LinkStatus, detail: string | null): void {
    this.status = status
    this.statusDetail = detail
    this.problems.clear()
    this.announce()
  }

  private announce(): void {
    const parts = [this.statusDetail, ...this.problems.values()].filter((p) => p !== null)
    this.detail = parts.length ? parts.join('; ') : null
    this.events.onStatus?.(this.status, this.detail)
  }
}
