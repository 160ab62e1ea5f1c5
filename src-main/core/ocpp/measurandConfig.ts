// What a charger is asked to sample once it is accepted: both registers, both powers and the
// state of charge, every intervalS seconds during a session. 1.6 sets configuration keys one by
// one (ChangeConfiguration); 2.x sets the sampled-data controller's variables in one SetVariables.
import type * as V16 from './messages16'
import type * as V2 from './messages2'

export const SAMPLED_MEASURANDS = [
  'Energy.Active.Import.Register',
  'Energy.Active.Export.Register',
  'Power.Active.Import',
  'Power.Active.Export',
  'SoC'
].join(',')

export function measurandConfig16(intervalS: number): V16.ChangeConfigurationRequest[] {
  return [
    { key: 'MeterValuesSampledData', value: SAMPLED_MEASURANDS },
    { key: 'MeterValueSampleInterval', value: String(intervalS) }
  ]
}

export function measurandConfig2(intervalS: number): V2.SetVariablesRequest {
  const controller = { name: 'SampledDataCtrlr' }
  return {
    setVariableData: [
      { component: controller, variable: { name: 'TxStartedMeasurands' }, attributeValue: SAMPLED_MEASURANDS },
      { component: controller, variable: { name: 'TxUpdatedMeasurands' }, attributeValue: SAMPLED_MEASURANDS },
      { component: controller, variable: { name: 'TxEndedMeasurands' }, attributeValue: SAMPLED_MEASURANDS },
      { component: controller, variable: { name: 'TxUpdatedInterval' }, attributeValue: String(intervalS) }
    ]
  }
}
