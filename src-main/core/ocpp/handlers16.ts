// OCPP 1.6 messages from a charge point. Id tags are all accepted: the charger itself has
// authenticated, and the market participant a session stands for is the charger's prosumer.
import { instantMs, type HandlerContext, type HandlerTable } from './handlerContext'
import type * as V16 from './messages16'
import { samplesFrom16 } from './meterValues'

const ACCEPTED: V16.IdTagInfo = { status: 'Accepted' }

export function handlers16(context: HandlerContext): HandlerTable {
  const { link, intake } = context
  const chargerId = link.chargerId
  const logSkipped = (action: string, skipped: readonly string[]) => {
    if (skipped.length > 0) context.log(`${chargerId}: ${action} left out ${skipped.join('; ')}`)
  }

  return {
    BootNotification: (): V16.BootNotificationResponse => {
      const { status, intervalS } = context.boot()
      return { status, currentTime: new Date(context.now()).toISOString(), interval: intervalS }
    },

    Heartbeat: (): V16.HeartbeatResponse => ({ currentTime: new Date(context.now()).toISOString() }),

    StatusNotification: (params) => {
      const request = params as V16.StatusNotificationRequest
      intake.connectorStatus(chargerId, request.connectorId, request.status)
      return {}
    },

    Authorize: (): V16.AuthorizeResponse => ({ idTagInfo: ACCEPTED }),

    StartTransaction: (params): V16.StartTransactionResponse => {
      const request = params as V16.StartTransactionRequest
      const transactionId = intake.startSession16(chargerId, request.connectorId, request.idTag, instantMs(request.timestamp, 'timestamp'), request.meterStart)
      return { idTagInfo: ACCEPTED, transactionId: Number(transactionId) }
    },

    StopTransaction: (params): V16.StopTransactionResponse => {
      const request = params as V16.StopTransactionRequest
      const transactionId = String(request.transactionId)
      const { samples, skipped } = samplesFrom16(request.transactionData ?? [])
      logSkipped('StopTransaction', skipped)
      const ended = intake.stopSession16(chargerId, transactionId, instantMs(request.timestamp, 'timestamp'), request.meterStop, request.reason ?? null, samples)
      if (ended) context.sessionEnded(ended.connectorId, transactionId)
      return request.idTag === undefined ? {} : { idTagInfo: ACCEPTED }
    },

    MeterValues: (params) => {
      const request = params as V16.MeterValuesRequest
      const { samples, skipped } = samplesFrom16(request.meterValue)
      logSkipped('MeterValues', skipped)
      intake.meterSamples(chargerId, request.connectorId, request.transactionId === undefined ? null : String(request.transactionId), samples)
      return {}
    }
  }
}
