// OCPP 2.0.1-J and 2.1-J payloads the central system receives or sends. The two versions share
// these messages; fields marked (2.1) exist only in 2.1 and are left out on 2.0.1. As in
// messages16.ts: the fields we read or write, shaped as the official schemas define them.

export type RegistrationStatus = 'Accepted' | 'Pending' | 'Rejected'

export interface StatusInfo {
  /** at most 20 characters */
  reasonCode: string
  additionalInfo?: string
}

export interface BootNotificationRequest {
  reason: string
  chargingStation: {
    model: string
    vendorName: string
    serialNumber?: string
    firmwareVersion?: string
  }
}

export interface BootNotificationResponse {
  currentTime: string
  /** seconds: the heartbeat interval once accepted, the wait before the next boot otherwise */
  interval: number
  status: RegistrationStatus
  statusInfo?: StatusInfo
}

export interface HeartbeatResponse {
  currentTime: string
}

export type ConnectorStatus = 'Available' | 'Occupied' | 'Reserved' | 'Unavailable' | 'Faulted'

export interface StatusNotificationRequest {
  timestamp: string
  connectorStatus: ConnectorStatus
  evseId: number
  connectorId: number
}

export interface IdToken {
  idToken: string
  type: string
}

export interface IdTokenInfo {
  status:
    | 'Accepted'
    | 'Blocked'
    | 'ConcurrentTx'
    | 'Expired'
    | 'Invalid'
    | 'NoCredit'
    | 'NotAllowedTypeEVSE'
    | 'NotAtThisLocation'
    | 'NotAtThisTime'
    | 'Unknown'
}

export interface AuthorizeRequest {
  idToken: IdToken
}

export interface AuthorizeResponse {
  idTokenInfo: IdTokenInfo
}

export interface UnitOfMeasure {
  /** Wh when absent, for energy */
  unit?: string
  /** a power of ten the value is scaled by; 0 when absent */
  multiplier?: number
}

export type Measurand =
  'Energy.Active.Import.Register' | 'Energy.Active.Export.Register' | 'Power.Active.Import' | 'Power.Active.Export' | 'SoC' | (string & {})

export interface SampledValue {
  value: number
  context?: string
  /** Energy.Active.Import.Register when absent */
  measurand?: Measurand
  phase?: string
  location?: string
  unitOfMeasure?: UnitOfMeasure
}

export interface MeterValue {
  timestamp: string
  sampledValue: SampledValue[]
}

export interface MeterValuesRequest {
  /** 0 is the station's main meter */
  evseId: number
  meterValue: MeterValue[]
}

export type TransactionEventType = 'Started' | 'Updated' | 'Ended'

export interface TransactionEventRequest {
  eventType: TransactionEventType
  timestamp: string
  triggerReason: string
  /** counts every TransactionEvent the station sends, so the CSMS can tell a replay and a gap */
  seqNo: number
  offline?: boolean
  transactionInfo: {
    transactionId: string
    chargingState?: string
    stoppedReason?: string
  }
  /** required in the first event of a transaction on that EVSE, optional after */
  evse?: { id: number; connectorId?: number }
  idToken?: IdToken
  meterValue?: MeterValue[]
}

export interface TransactionEventResponse {
  idTokenInfo?: IdTokenInfo
}

export interface SetVariableData {
  attributeValue: string
  component: { name: string; instance?: string }
  variable: { name: string; instance?: string }
}

export interface SetVariablesRequest {
  setVariableData: SetVariableData[]
}

export interface SetVariablesResponse {
  setVariableResult: {
    attributeStatus: 'Accepted' | 'Rejected' | 'UnknownComponent' | 'UnknownVariable' | 'NotSupportedAttributeType' | 'RebootRequired'
    attributeStatusInfo?: StatusInfo
    component: { name: string }
    variable: { name: string }
  }[]
}

/** (2.1) How the EV is to follow the period; ChargingOnly when absent. */
export type OperationMode =
  | 'Idle'
  | 'ChargingOnly'
  | 'CentralSetpoint'
  | 'ExternalSetpoint'
  | 'ExternalLimits'
  | 'CentralFrequency'
  | 'LocalFrequency'
  | 'LocalLoadBalancing'

export interface ChargingSchedulePeriod {
  startPeriod: number
  /** required on 2.0.1; on 2.1 optional where operationMode does not need it (CentralSetpoint) */
  limit?: number
  numberPhases?: number
  /** (2.1) */
  operationMode?: OperationMode
  /** (2.1) the power the EV should follow, negative to discharge */
  setpoint?: number
  /** (2.1) the most the EV may discharge, as a value <= 0 */
  dischargeLimit?: number
}

export interface ChargingSchedule {
  id: number
  startSchedule?: string
  duration?: number
  chargingRateUnit: 'A' | 'W'
  chargingSchedulePeriod: ChargingSchedulePeriod[]
}

export interface ChargingProfile {
  id: number
  stackLevel: number
  chargingProfilePurpose: 'ChargingStationMaxProfile' | 'TxDefaultProfile' | 'TxProfile' | 'ChargingStationExternalConstraints'
  chargingProfileKind: 'Absolute' | 'Recurring' | 'Relative'
  transactionId?: string
  validFrom?: string
  validTo?: string
  chargingSchedule: ChargingSchedule[]
}

export interface SetChargingProfileRequest {
  evseId: number
  chargingProfile: ChargingProfile
}

export interface SetChargingProfileResponse {
  status: 'Accepted' | 'Rejected'
  statusInfo?: StatusInfo
}

export interface ClearChargingProfileRequest {
  chargingProfileId?: number
  chargingProfileCriteria?: { evseId?: number; chargingProfilePurpose?: ChargingProfile['chargingProfilePurpose']; stackLevel?: number }
}

export interface ClearChargingProfileResponse {
  status: 'Accepted' | 'Unknown'
  statusInfo?: StatusInfo
}

export interface GetCompositeScheduleRequest {
  duration: number
  evseId: number
  chargingRateUnit?: 'A' | 'W'
}

export interface GetCompositeScheduleResponse {
  status: 'Accepted' | 'Rejected'
  statusInfo?: StatusInfo
  schedule?: {
    evseId: number
    duration: number
    scheduleStart: string
    chargingRateUnit: 'A' | 'W'
    chargingSchedulePeriod: ChargingSchedulePeriod[]
  }
}

export interface SecurityEventNotificationRequest {
  type: string
  timestamp: string
  techInfo?: string
}

/** NotifyEvent, NotifyReport and SecurityEventNotification are acknowledged with an empty object. */
export type Acknowledgement = Record<string, never>
