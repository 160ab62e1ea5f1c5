// OCPP 1.6-J payloads the central system receives or sends: the fields we read or write, as the
// official schemas (bundled with ocpp-rpc, enforced in strict mode) define them. Not every
// optional field is listed; strict mode has already refused anything the schema does not allow.

export type RegistrationStatus = 'Accepted' | 'Pending' | 'Rejected'

export interface BootNotificationRequest {
  chargePointVendor: string
  chargePointModel: string
  chargePointSerialNumber?: string
  chargeBoxSerialNumber?: string
  firmwareVersion?: string
}

export interface BootNotificationResponse {
  status: RegistrationStatus
  currentTime: string
  /** seconds: the heartbeat interval once accepted, the wait before the next boot otherwise */
  interval: number
}

export interface HeartbeatResponse {
  currentTime: string
}

export type ChargePointStatus =
  'Available' | 'Preparing' | 'Charging' | 'SuspendedEVSE' | 'SuspendedEV' | 'Finishing' | 'Reserved' | 'Unavailable' | 'Faulted'

export interface StatusNotificationRequest {
  /** 0 is the charge point as a whole */
  connectorId: number
  errorCode: string
  status: ChargePointStatus
  timestamp?: string
  info?: string
}

export interface IdTagInfo {
  status: 'Accepted' | 'Blocked' | 'Expired' | 'Invalid' | 'ConcurrentTx'
}

export interface AuthorizeRequest {
  idTag: string
}

export interface AuthorizeResponse {
  idTagInfo: IdTagInfo
}

export interface StartTransactionRequest {
  connectorId: number
  idTag: string
  /** Wh, the import register when the session started */
  meterStart: number
  timestamp: string
  reservationId?: number
}

export interface StartTransactionResponse {
  idTagInfo: IdTagInfo
  transactionId: number
}

export type Measurand =
  'Energy.Active.Import.Register' | 'Energy.Active.Export.Register' | 'Power.Active.Import' | 'Power.Active.Export' | 'SoC' | (string & {})

export interface SampledValue {
  /** a number written as a string, unless format is SignedData */
  value: string
  context?: string
  format?: 'Raw' | 'SignedData'
  /** Energy.Active.Import.Register when absent */
  measurand?: Measurand
  phase?: string
  location?: string
  /** Wh when absent */
  unit?: string
}

export interface MeterValue {
  timestamp: string
  sampledValue: SampledValue[]
}

export interface StopTransactionRequest {
  transactionId: number
  /** Wh, the import register when the session stopped */
  meterStop: number
  timestamp: string
  idTag?: string
  reason?: string
  transactionData?: MeterValue[]
}

export interface StopTransactionResponse {
  idTagInfo?: IdTagInfo
}

export interface MeterValuesRequest {
  /** 0 is the charge point's main meter */
  connectorId: number
  transactionId?: number
  meterValue: MeterValue[]
}

export interface ChangeConfigurationRequest {
  key: string
  value: string
}

export interface ChangeConfigurationResponse {
  status: 'Accepted' | 'Rejected' | 'RebootRequired' | 'NotSupported'
}

export interface ChargingSchedulePeriod {
  startPeriod: number
  /** in chargingRateUnit; a multiple of 0.1 */
  limit: number
  numberPhases?: number
}

export interface ChargingSchedule {
  duration?: number
  startSchedule?: string
  chargingRateUnit: 'A' | 'W'
  chargingSchedulePeriod: ChargingSchedulePeriod[]
  minChargingRate?: number
}

export interface ChargingProfile {
  chargingProfileId: number
  transactionId?: number
  stackLevel: number
  chargingProfilePurpose: 'ChargePointMaxProfile' | 'TxDefaultProfile' | 'TxProfile'
  chargingProfileKind: 'Absolute' | 'Recurring' | 'Relative'
  validFrom?: string
  validTo?: string
  chargingSchedule: ChargingSchedule
}

export interface SetChargingProfileRequest {
  connectorId: number
  csChargingProfiles: ChargingProfile
}

export interface SetChargingProfileResponse {
  status: 'Accepted' | 'Rejected' | 'NotSupported'
}

export interface ClearChargingProfileRequest {
  id?: number
  connectorId?: number
  chargingProfilePurpose?: ChargingProfile['chargingProfilePurpose']
  stackLevel?: number
}

export interface ClearChargingProfileResponse {
  status: 'Accepted' | 'Unknown'
}

export interface GetCompositeScheduleRequest {
  connectorId: number
  duration: number
  chargingRateUnit?: 'A' | 'W'
}

export interface GetCompositeScheduleResponse {
  status: 'Accepted' | 'Rejected'
  connectorId?: number
  scheduleStart?: string
  chargingSchedule?: ChargingSchedule
}
