// A V2G charger for the tests that put chargers in the market: ocpp-rpc's own client on OCPP 2.1
// (the server's library, so not an independent check of the protocol: ocpp.test.ts does that),
// booting, starting a session with the EV's state of charge, and keeping every charging profile
// it is sent, accepted.
import { RPCClient } from 'ocpp-rpc'
import { strictModeValidators } from '../../src-main/core/ocpp/schemaValidators'

interface Period {
  startPeriod: number
  operationMode?: string
  setpoint?: number
  limit?: number
}
interface Profile {
  evseId: number
  chargingProfile: { chargingSchedule: { chargingSchedulePeriod: Period[] }[] }
}

const iso = (ms: number) => new Date(ms).toISOString()

export class SimulatedCharger {
  /** every SetChargingProfile received, in order */
  readonly profiles: Profile[] = []
  private seqNo = 0

  private constructor(private readonly client: RPCClient) {}

  /** Connects to `endpoint` (ws://HOST:PORT/ocpp/) as `id`, and boots. */
  static async connect(endpoint: string, id: string, password: string): Promise<SimulatedCharger> {
    const client = new RPCClient({
      endpoint: endpoint.replace(/\/$/, ''),
      identity: id,
      password,
      protocols: ['ocpp2.1'],
      reconnect: false,
      strictMode: true,
      strictModeValidators: strictModeValidators()
    } as ConstructorParameters<typeof RPCClient>[0])
    const charger = new SimulatedCharger(client)
    client.handle('SetVariables', async ({ params }) => ({
      setVariableResult: (params as { setVariableData: { component: object; variable: object }[] }).setVariableData.map((d) => ({
        attributeStatus: 'Accepted',
        component: d.component,
        variable: d.variable
      }))
    }))
    client.handle('SetChargingProfile', async ({ params }) => {
      charger.profiles.push(params as Profile)
      return { status: 'Accepted' }
    })
    client.handle('GetCompositeSchedule', async ({ params }) => {
      const { evseId, duration } = params as { evseId: number; duration: number }
      const periods = charger.profiles.at(-1)?.chargingProfile.chargingSchedule[0]?.chargingSchedulePeriod ?? []
      return {
        status: 'Accepted',
        schedule: { evseId, duration, scheduleStart: iso(Date.now()), chargingRateUnit: 'W', chargingSchedulePeriod: periods }
      }
    })
    client.handle('ClearChargingProfile', async () => ({ status: 'Accepted' }))
    await client.connect()
    await client.call('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'SimV2X', vendorName: 'DV2G tests' } })
    await client.call('StatusNotification', { timestamp: iso(Date.now()), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 })
    return charger
  }

  /** An EV plugged in on EVSE 1, at this state of charge and import register. */
  async startSession(transactionId: string, socPercent: number, importWh: number): Promise<void> {
    await this.client.call('TransactionEvent', {
      eventType: 'Started',
      timestamp: iso(Date.now()),
      triggerReason: 'EVDetected',
      seqNo: this.seqNo++,
      transactionInfo: { transactionId },
      evse: { id: 1, connectorId: 1 },
      meterValue: [
        {
          timestamp: iso(Date.now()),
          sampledValue: [
            { value: socPercent, measurand: 'SoC', unitOfMeasure: { unit: 'Percent' } },
            { value: importWh, measurand: 'Energy.Active.Import.Register' }
          ]
        }
      ]
    })
  }

  /** The setpoints (W) of the profiles received. */
  setpoints(): number[] {
    return this.profiles.map((p) => {
      const period = p.chargingProfile.chargingSchedule[0]!.chargingSchedulePeriod[0]!
      return period.setpoint ?? period.limit!
    })
  }

  close(): Promise<unknown> {
    return this.client.close({ force: true })
  }
}
