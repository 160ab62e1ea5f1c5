// OCPP 2.0.1 and 2.1 messages from a charging station. As on 1.6, id tokens are all accepted.
// Device-model reports and events are acknowledged (the console has no use for them yet);
// security events are logged, being what an operator must be able to look back on.
import { dataTransferAnswer, type DataTransferRequest, type DataTransferResponse } from './dataTransfer'
import { instantMs, type HandlerContext, type HandlerTable } from './handlerContext'
import type * as V2 from './messages2'
import { samplesFrom2 } from './meterValues'

const ACCEPTED: V2.IdTokenInfo = { status: 'Accepted' }

export function handlers2(context: HandlerContext): HandlerTable {
  const { link, intake } = context
  const chargerId = link.chargerId
  const logSkipped = (action: string, skipped: readonly string[]) => {
    if (skipped.length > 0) context.log(`${chargerId}: ${action} left out ${skipped.join('; ')}`)
  }
  const acknowledge = (): V2.Acknowledgement => ({})

  return {
    BootNotification: (): V2.BootNotificationResponse => {
      const { status, intervalS } = context.boot()
      return { status, currentTime: new Date(context.now()).toISOString(), interval: intervalS }
    },

    Heartbeat: (): V2.HeartbeatResponse => ({ currentTime: new Date(context.now()).toISOString() }),

    StatusNotification: (params) => {
      const request = params as V2.StatusNotificationRequest
      intake.evseConnectorStatus(chargerId, request.evseId, request.connectorId, request.connectorStatus)
      return {}
    },

    Authorize: (): V2.AuthorizeResponse => ({ idTokenInfo: ACCEPTED }),

    DataTransfer: (params): DataTransferResponse => dataTransferAnswer(params as DataTransferRequest),

    TransactionEvent: (params): Promise<V2.TransactionEventResponse> => {
      const request = params as V2.TransactionEventRequest
      const { samples, skipped } = samplesFrom2(request.meterValue ?? [])
      logSkipped('TransactionEvent', skipped)
      const transactionId = request.transactionInfo.transactionId
      const event = {
        eventType: request.eventType,
        transactionId,
        seqNo: request.seqNo,
        triggerReason: request.triggerReason,
        tsMs: instantMs(request.timestamp, 'timestamp'),
        evseId: request.evse?.id ?? null,
        idTag: request.idToken?.idToken ?? null,
        stoppedReason: request.transactionInfo.stoppedReason ?? null
      }
      return intake
        .committed(chargerId, 'TransactionEvent', () => intake.transactionEvent(chargerId, event, samples))
        .then((applied) => {
          if (applied?.ended) context.sessionEnded(applied.connectorId, transactionId)
          return request.idToken === undefined ? {} : { idTokenInfo: ACCEPTED }
        })
    },

    MeterValues: (params) => {
      const request = params as V2.MeterValuesRequest
      const { samples, skipped } = samplesFrom2(request.meterValue)
      logSkipped('MeterValues', skipped)
      return intake
        .committed(chargerId, 'MeterValues', () => intake.meterSamples(chargerId, request.evseId, null, samples))
        .then(() => ({}))
    },

    NotifyEvent: acknowledge,

    NotifyReport: acknowledge,

    SecurityEventNotification: (params) => {
      const request = params as V2.SecurityEventNotificationRequest
      context.log(`${chargerId}: security event ${request.type} at ${request.timestamp}${request.techInfo ? `: ${request.techInfo}` : ''}`)
      return {}
    }
  }
}
