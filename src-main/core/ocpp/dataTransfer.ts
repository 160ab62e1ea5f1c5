// DataTransfer: a vendor's own message, in 1.6's Core profile and in 2.x. The central system
// defines none of its own yet and knows no other vendor's, and says so with the answer OCPP
// defines for that, rather than a NotImplemented that reads as if the action itself were unknown.

/** The vendor id the central system would answer to: its package name. */
export const OUR_VENDOR_ID = 'dv2g-operator'

export interface DataTransferRequest {
  vendorId: string
  messageId?: string
  /** 1.6: a string; 2.x: any JSON */
  data?: unknown
}

export interface DataTransferResponse {
  status: 'Accepted' | 'Rejected' | 'UnknownMessageId' | 'UnknownVendorId'
}

export function dataTransferAnswer(request: DataTransferRequest): DataTransferResponse {
  return { status: request.vendorId === OUR_VENDOR_ID ? 'UnknownMessageId' : 'UnknownVendorId' }
}
