// The chargers of `dv2g bench ocpp`: ocpp-rpc's own client on OCPP 1.6, many of them in this one
// process, each doing what a charger in a session does (connect, BootNotification,
// StatusNotification, StartTransaction) and then sending MeterValues every second with the import
// register, the power and the EV's state of charge. Every MeterValues round trip is handed to a
// recorder. Clients do not validate their own frames (the central system does): this process's
// time goes to sending and timing, not to checking what it wrote itself.
import { RPCClient } from 'ocpp-rpc'

/** How the round trip of one MeterValues ended: answered (a CALLRESULT) or failed, with why. */
export interface RoundTrip {
  /** performance.now() when the call was made */
  sentMs: number
  /** performance.now() when the answer came; null while none has */
  answeredMs: number | null
  failure: string | null
}

export interface FleetOptions {
  /** ws://HOST:PORT/ocpp/, as the node printed it */
  endpoint: string
  ids: readonly string[]
  password: string
  /** how long one call may wait for its answer */
  callTimeoutMs: number
  intervalMs: number
}

type ClientOptions = ConstructorParameters<typeof RPCClient>[0]

const CHARGING_POWER_W = 7400
const CONNECTOR = 1

const iso = (ms: number) => new Date(ms).toISOString()

/** One simulated charger with an EV plugged in on connector 1. */
class SimulatedCharger {
  private transactionId: number | null = null
  private importWh = 0
  private socPercent = 20 + Math.random() * 40
  private timer: NodeJS.Timeout | null = null
  private stopped = false

  constructor(
    readonly id: string,
    private readonly client: RPCClient
  ) {
    // what the central system configures right after boot: the sampled measurands and interval
    client.handle('ChangeConfiguration', async () => ({ status: 'Accepted' }))
  }

  /** Connects and starts a session: after this it is a charger in the middle of charging. */
  async plugIn(): Promise<void> {
    await this.client.connect()
    const boot = (await this.client.call('BootNotification', { chargePointVendor: 'DV2G bench', chargePointModel: 'SimCharger' })) as {
      status: string
    }
    if (boot.status !== 'Accepted') throw new Error(`${this.id}: BootNotification answered ${boot.status}`)
    await this.client.call('StatusNotification', {
      connectorId: CONNECTOR,
      errorCode: 'NoError',
      status: 'Charging',
      timestamp: iso(Date.now())
    })
    this.importWh = Math.round(Math.random() * 100_000)
    const started = (await this.client.call('StartTransaction', {
      connectorId: CONNECTOR,
      idTag: 'BENCH',
      meterStart: this.importWh,
      timestamp: iso(Date.now())
    })) as { transactionId: number }
    this.transactionId = started.transactionId
  }

  /** Sends MeterValues every intervalMs from firstMs (a Date.now() instant), each round trip recorded. */
  meterEvery(intervalMs: number, firstMs: number, record: (trip: RoundTrip) => void): void {
    let dueMs = firstMs
    const next = () => {
      if (this.stopped) return
      this.timer = setTimeout(
        () => {
          this.sendMeterValues(intervalMs, record)
          dueMs += intervalMs
          next()
        },
        Math.max(0, dueMs - Date.now())
      )
    }
    next()
  }

  private sendMeterValues(intervalMs: number, record: (trip: RoundTrip) => void): void {
    const powerW = CHARGING_POWER_W + Math.round((Math.random() - 0.5) * 200)
    this.importWh += (powerW * intervalMs) / 3_600_000
    this.socPercent = Math.min(100, this.socPercent + 0.01)
    const sampledValue = [
      { value: this.importWh.toFixed(1), measurand: 'Energy.Active.Import.Register', unit: 'Wh', context: 'Sample.Periodic' },
      { value: String(powerW), measurand: 'Power.Active.Import', unit: 'W', context: 'Sample.Periodic' },
      { value: this.socPercent.toFixed(1), measurand: 'SoC', unit: 'Percent', location: 'EV', context: 'Sample.Periodic' }
    ]
    const trip: RoundTrip = { sentMs: performance.now(), answeredMs: null, failure: null }
    record(trip)
    // a charger has one call out at a time: one due while the last is unanswered waits in the client's queue
    this.client
      .call('MeterValues', {
        connectorId: CONNECTOR,
        transactionId: this.transactionId!,
        meterValue: [{ timestamp: iso(Date.now()), sampledValue }]
      })
      .then(
        () => (trip.answeredMs = performance.now()),
        (error: unknown) => (trip.failure = (error as Error).message)
      )
  }

  /** No more MeterValues; the calls out still get their answers. */
  stopMetering(): void {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
  }

  async close(): Promise<void> {
    this.stopMetering()
    await this.client.close({ force: true })
  }
}

export class ChargerFleet {
  private readonly chargers: SimulatedCharger[] = []

  constructor(private readonly options: FleetOptions) {}

  get size(): number {
    return this.chargers.length
  }

  /**
   * Plugs the chargers in, `batchSize` at a time: each connection's password is checked with
   * scrypt on the central system's thread pool, so a thousand at once would only queue there.
   */
  async rampUp(batchSize: number, progress: (connected: number) => void): Promise<void> {
    const { endpoint, ids, password, callTimeoutMs } = this.options
    for (let from = 0; from < ids.length; from += batchSize) {
      const batch = ids.slice(from, from + batchSize).map((id) => {
        const client = new RPCClient({
          endpoint: endpoint.replace(/\/$/, ''),
          identity: id,
          password,
          protocols: ['ocpp1.6'],
          reconnect: false,
          strictMode: false,
          callTimeoutMs,
          wsOpts: { handshakeTimeout: callTimeoutMs }
        } as ClientOptions)
        const charger = new SimulatedCharger(id, client)
        this.chargers.push(charger)
        return charger
      })
      await Promise.all(batch.map((charger) => charger.plugIn()))
      progress(this.chargers.length)
    }
  }

  /** Every charger sends MeterValues every interval from now on, their phases spread evenly over one interval. */
  startMetering(record: (trip: RoundTrip) => void): void {
    const { intervalMs } = this.options
    const startMs = Date.now()
    this.chargers.forEach((charger, i) =>
      charger.meterEvery(intervalMs, startMs + Math.floor((i * intervalMs) / this.chargers.length), record)
    )
  }

  stopMetering(): void {
    for (const charger of this.chargers) charger.stopMetering()
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.chargers.map((charger) => charger.close()))
  }
}
