// The OCPP central system as the console sees it: every charger (registered, or connected and
// waiting for admission) with its connectors, kept live by ocpp.chargersChanged, and the central
// system's settings. A refusal is kept with the action and the charger it was about, so it shows
// beside the form or row that asked.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { MethodInput, OcppCharger, OcppSettings } from '../../src-shared/contract'
import { call, CallError, errorMessage, onEvent } from '../api'

export type OcppAction = 'load' | 'add' | 'update' | 'remove' | 'configure'

export interface OcppFailure {
  action: OcppAction
  /** the charger the action was about; null for load, add and configure */
  chargerId: string | null
  message: string
  /** the contract's field messages by top-level field */
  fields: Record<string, string>
}

const byId = (a: OcppCharger, b: OcppCharger) => a.id.localeCompare(b.id)

export const useOcppStore = defineStore('ocpp', () => {
  const chargers = ref<OcppCharger[]>([])
  const settings = ref<OcppSettings | null>(null)
  /** true once a load succeeded: before that, no list is not an empty list */
  const loaded = ref(false)
  const failure = ref<OcppFailure | null>(null)
  const notice = ref<string | null>(null)
  /** the chargers the operator added; in id order, so rows stay put while readings arrive */
  const registered = computed(() => chargers.value.filter((c) => c.registered))
  /** connected with an id nobody added: Pending until the operator adds them */
  const waiting = computed(() => chargers.value.filter((c) => !c.registered))

  // an event is every charger as it stands: newer than any list a call began to fetch before it
  let eventsSeen = 0
  onEvent('ocpp.chargersChanged', (payload) => {
    eventsSeen++
    chargers.value = [...payload.chargers].sort(byId)
  })

  function upsert(charger: OcppCharger): void {
    chargers.value = [...chargers.value.filter((c) => c.id !== charger.id), charger].sort(byId)
  }

  async function attempt<T>(action: OcppAction, chargerId: string | null, work: () => Promise<T>): Promise<T | undefined> {
    try {
      const result = await work()
      failure.value = null
      return result
    } catch (problem) {
      const fields =
        problem instanceof CallError ? Object.fromEntries((problem.fields ?? []).map((f) => [f.path.split('.')[0]!, f.message])) : {}
      failure.value = { action, chargerId, message: errorMessage(problem), fields }
      return undefined
    }
  }

  async function load(): Promise<void> {
    const eventsBefore = eventsSeen
    await attempt('load', null, async () => {
      const [list, current] = await Promise.all([call('ocpp.chargers'), call('ocpp.settings')])
      if (eventsSeen === eventsBefore) chargers.value = [...list].sort(byId)
      settings.value = current
      loaded.value = true
    })
  }

  /** The charger and its password (made by the central system when none was given), or undefined when refused. */
  async function add(input: MethodInput<'ocpp.add'>): Promise<{ charger: OcppCharger; password: string } | undefined> {
    notice.value = null
    const added = await attempt('add', null, () => call('ocpp.add', input))
    if (added) upsert(added.charger)
    return added
  }

  async function update(input: MethodInput<'ocpp.update'>): Promise<boolean> {
    notice.value = null
    const charger = await attempt('update', input.id, () => call('ocpp.update', input))
    if (charger) upsert(charger)
    return charger !== undefined
  }

  async function remove(id: string): Promise<boolean> {
    notice.value = null
    if (!(await attempt('remove', id, () => call('ocpp.remove', { id })))) return false
    chargers.value = chargers.value.filter((c) => c.id !== id)
    const next = settings.value?.unknownChargers === 'Rejected' ? 'refused' : 'held Pending'
    notice.value = `Removed charger ${id}: its password no longer admits it; if it connects again it is ${next} as an unknown charger.`
    return true
  }

  async function configure(input: MethodInput<'ocpp.configure'>): Promise<boolean> {
    notice.value = null
    const next = await attempt('configure', null, () => call('ocpp.configure', input))
    if (next) settings.value = next
    return next !== undefined
  }

  /** The refused fields of this action (and charger), for the form that asked. */
  function fieldErrors(action: OcppAction, chargerId: string | null = null): Record<string, string> {
    const f = failure.value
    return f && f.action === action && f.chargerId === chargerId ? f.fields : {}
  }

  return { chargers, settings, loaded, failure, notice, registered, waiting, load, add, update, remove, configure, fieldErrors }
})
