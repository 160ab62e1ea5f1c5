// The ESU form: what each field is, and how typed text becomes parameters. Ranges and messages
// come from the contract's schema, field by field, so the console and the server agree.
import { z } from 'zod'
import { esuParametersSchema, type EsuParametersInput } from '../../src-shared/contract'
import type { EsuParameters } from '../../src-shared/market/esu'

export type EsuParameterKey = keyof EsuParametersInput
export type EsuDraftKey = EsuParameterKey | 'dailySaving'
/** The form as typed: text, so that an empty or half-typed field is visible as such. */
export type EsuDraft = Record<EsuDraftKey, string>

export interface EsuFieldSpec {
  key: EsuDraftKey
  label: string
  /** the paper's symbol */
  symbol: string
  unit: string
  hint: string
  /** may be left empty */
  optional?: boolean
}

export const parameterFields: readonly (EsuFieldSpec & { key: EsuParameterKey })[] = [
  { key: 'capacityKWh', label: 'Capacity', symbol: 'E_cap', unit: 'kWh', hint: 'nameplate energy' },
  { key: 'depthOfDischarge', label: 'Depth of discharge', symbol: 'D_D', unit: '0–1', hint: 'fraction cycled, 0.8 = 80 %' },
  { key: 'cycleLife', label: 'Cycle life', symbol: 'L_c', unit: 'cycles', hint: 'full cycles to end of life' },
  { key: 'combinedCost', label: 'Combined cost', symbol: 'C_U', unit: '¤', hint: 'ESU + converter, up front' },
  { key: 'maintenancePerYear', label: 'Maintenance', symbol: 'M_C', unit: '¤/yr', hint: 'upkeep per year' },
  { key: 'interestRate', label: 'Interest rate', symbol: 'r', unit: '0–1 /yr', hint: 'a year, 0.05 = 5 %' },
  { key: 'lifetimeYears', label: 'Lifetime', symbol: 'l', unit: 'years', hint: 'years to pay back C_U' },
  { key: 'daysPerYear', label: 'Days per year', symbol: 'Y_d', unit: 'days', hint: 'in service a year; 365 default' }
]

export const dailySavingField: EsuFieldSpec = {
  key: 'dailySaving',
  label: 'Daily saving',
  symbol: 'S',
  unit: '¤/day',
  hint: 'compared with CD',
  optional: true
}

export const allFields: readonly EsuFieldSpec[] = [...parameterFields, dailySavingField]

/** The daily saving is ours, not the contract's: a saving of zero or more, optional. */
export const dailySavingSchema = z.number({ error: 'must be a number' }).min(0, { message: 'must be 0 or more' })

/** The case of the ESU issue: ω = 0.14236 ¤/kWh, CD = 2.9094 ¤/day. */
export const defaultEsuParameters: EsuParameters = {
  capacityKWh: 24,
  depthOfDischarge: 0.8,
  cycleLife: 3000,
  combinedCost: 8200,
  maintenancePerYear: 0,
  interestRate: 0.05,
  lifetimeYears: 10,
  daysPerYear: 365
}

export function draftFromParameters(parameters: EsuParameters, dailySaving = ''): EsuDraft {
  const draft = { dailySaving } as EsuDraft
  for (const { key } of parameterFields) draft[key] = String(parameters[key])
  return draft
}

/** Text to a number; spaces and underscores may group digits ("10 000"). Empty means not given. */
export function parseNumberText(text: string): number | undefined {
  const compact = text.replace(/[\s_]/g, '')
  return compact === '' ? undefined : Number(compact)
}

export type FieldCheck = { ok: true; value: number | undefined } | { ok: false; error: string }

export function checkField(key: EsuDraftKey, text: string): FieldCheck {
  const value = parseNumberText(text)
  if (value === undefined) return key === 'dailySaving' ? { ok: true, value: undefined } : { ok: false, error: 'is required' }
  const schema = key === 'dailySaving' ? dailySavingSchema : esuParametersSchema.shape[key]
  const result = schema.safeParse(value)
  return result.success ? { ok: true, value } : { ok: false, error: result.error.issues[0]?.message ?? 'is not valid' }
}

export interface DraftCheck {
  /** null while any field is invalid: nothing may be computed from a half-valid form */
  parameters: EsuParameters | null
  /** null when not given or while any field is invalid */
  dailySaving: number | null
  errors: Partial<Record<EsuDraftKey, string>>
  /** the invalid fields in form order */
  invalid: EsuFieldSpec[]
}

export function checkDraft(draft: EsuDraft): DraftCheck {
  const errors: DraftCheck['errors'] = {}
  const values: Partial<Record<EsuDraftKey, number>> = {}
  for (const { key } of allFields) {
    const check = checkField(key, draft[key])
    if (check.ok) values[key] = check.value
    else errors[key] = check.error
  }
  const invalid = allFields.filter((field) => errors[field.key] !== undefined)
  if (invalid.length > 0) return { parameters: null, dailySaving: null, errors, invalid }
  const { dailySaving, ...parameters } = values
  return { parameters: esuParametersSchema.parse(parameters), dailySaving: dailySaving ?? null, errors, invalid }
}
