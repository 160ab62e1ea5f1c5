// OCPP 1.6 messages from a charge point. Id tags are all accepted: the charger itself has
// authenticated, and the market participant a session stands for is the charger's prosumer.
import { dataTransferAnswer, type DataTransferRequest, type DataTransferResponse } from './dataTransfer'
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

    DataTransfer: (params): DataTransferResponse => dataTransferAnswer(params as DataTransferRequest),

    StartTransaction: (params): Promise<V16.StartTransactionResponse> => {
      const request = params as V16.StartTransactionRequest
      const startedMs = instantMs(request.timestamp, 'timestamp')
      return intake
        .committed(chargerId, 'StartTransaction', () =>
          intake.startSession16(chargerId, request.connectorId, request.idTag, startedMs, request.meterStart)
        )
        .then((transactionId) => ({ idTagInfo: ACCEPTED, transactionId: Number(transactionId) }))
    },

    StopTransaction: (params): Promise<V16.StopTransactionResponse> => {
      const request = params as V16.StopTransactionRequest
      const transactionId = String(request.transactionId)
      const stoppedMs = instantMs(request.timestamp, 'timestamp')
      const { samples, skipped } = samplesFrom16(request.transactionData ?? [])
      logSkipped('StopTransaction', skipped)
      return intake
        .committed(chargerId, 'StopTransaction', () =>
          intake.stopSession16(chargerId, transactionId, stoppedMs, request.meterStop, request.reason ?? null, samples)
        )
        .then((ended) => {
          if (ended) context.sessionEnded(ended.connectorId, transactionId)
          return request.idTag === undefined ? {} : { idTagInfo: ACCEPTED }
        })
    },

    MeterValues: (params) => {
      const request = params as V16.MeterValuesRequest
      const { samples, skipped } = samplesFrom16(request.meterValue)
      logSkipped('MeterValues', skipped)
      const transactionId = request.transactionId === undefined ? null : String(request.transactionId)
      return intake
        .committed(chargerId, 'MeterValues', () => intake.meterSamples(chargerId, request.connectorId, transactionId, samples))
        .then(() => ({}))
    }
  }
}
