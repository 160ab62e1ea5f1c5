// One serial connection to a meter that survives being unplugged: when the port closes or will
// not open, the link says so and tries again with a growing pause, then resumes reading.
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

export class SerialLink {
  status: LinkStatus = 'connecting'
  detail: string | null = null
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
    this.release()
    this.setStatus('stopped', null)
  }

  private connect(): void {
    this.setStatus('connecting', null)
    const framer = new TelegramFramer() // a new connection starts a new stream
    const port = this.open(this.path, this.settings)
    this.port = port
    port.on('data', (data) => {
      this.retryMs = FIRST_RETRY_MS
      const { frames, dropped } = framer.push(data)
      for (const d of dropped) this.events.onDropped?.(d)
      for (const f of frames) this.events.onFrame(f)
    })
    port.on('close', (error) => this.lost(error?.message ?? 'the port closed'))
    port.on('error', (error) => this.lost(error?.message ?? 'port error'))
    port.open((error) => {
      if (error) return this.lost(error.message)
      // raise Data Request (P1 pin 2 is often wired to RTS/DTR); a pty cannot, which is fine
      port.set?.({ dtr: true, rts: true }, () => {})
      this.setStatus('connected', null)
    })
  }

  /** The port is gone: let it go and try again later, each pause twice the last, at most 30 s. */
  private lost(reason: string): void {
    if (this.stopped || this.port === null) return
    this.release()
    this.setStatus('disconnected', `${reason}; retrying in ${(this.retryMs / 1000).toFixed(1)} s`)
    this.timer = setTimeout(() => {
      this.timer = null
      if (!this.stopped) this.connect()
    }, this.retryMs)
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS)
  }

  private release(): void {
    const port = this.port
    this.port = null
    if (!port) return
    port.removeAllListeners()
    port.on('error', () => {}) // a late error from a port being dropped is not news
    if (port.isOpen) port.close(() => {})
  }

  private setStatus(status: LinkStatus, detail: string | null): void {
    this.status = status
    this.detail = detail
    this.events.onStatus?.(status, detail)
  }
}
