// The ESU calculator's state: the form as typed, what it computes, and the saved profiles, kept in
// sync with the main process by the 'esu.profilesChanged' event.
import { defineStore } from 'pinia'
import { computed, reactive, ref } from 'vue'
import type { EsuProfile } from '../../src-shared/contract'
import { esuCost, esuWorthIt } from '../../src-shared/market/esu'
import { call, errorMessage, onEvent } from '../api'
import { checkDraft, defaultEsuParameters, draftFromParameters, parameterFields, type EsuDraft } from '../esu/fields'

export const useEsuStore = defineStore('esu', () => {
  const draft = reactive<EsuDraft>(draftFromParameters(defaultEsuParameters))
  const check = computed(() => checkDraft(draft))
  // computed here, with the model's own functions, so every keystroke updates at once
  const cost = computed(() => (check.value.parameters ? esuCost(check.value.parameters) : null))
  const verdict = computed(() => (cost.value && check.value.dailySaving !== null ? esuWorthIt(cost.value, check.value.dailySaving) : null))

  const profiles = ref<EsuProfile[]>([])
  const profilesLoaded = ref(false)
  const profilesError = ref<string | null>(null)
  let listRequest = 0

  async function refreshProfiles(): Promise<void> {
    const request = ++listRequest
    try {
      const list = await call('esu.listProfiles')
      // an older answer arriving late must not overwrite a newer one
      if (request !== listRequest) return
      profiles.value = list
      profilesLoaded.value = true
      profilesError.value = null
    } catch (failure) {
      if (request === listRequest) profilesError.value = errorMessage(failure)
    }
  }

  /** Saves the current parameters under a name; throws the CallError of a refused save. */
  async function saveProfile(name: string): Promise<EsuProfile> {
    const parameters = check.value.parameters
    if (!parameters) throw new Error('fix the invalid fields before saving')
    const saved = await call('esu.saveProfile', { name, parameters })
    await refreshProfiles()
    return saved
  }

  async function deleteProfile(name: string): Promise<boolean> {
    const { deleted } = await call('esu.deleteProfile', { name })
    await refreshProfiles()
    return deleted
  }

  /** Puts a profile's parameters in the form; the daily saving is the operator's and stays. */
  function loadProfile(profile: EsuProfile): void {
    Object.assign(draft, draftFromParameters(profile.parameters, draft.dailySaving))
  }

  /** Back to the default case; the daily saving stays. */
  function resetDraft(): void {
    Object.assign(draft, draftFromParameters(defaultEsuParameters, draft.dailySaving))
  }

  /** True when the form holds exactly this profile's parameters. */
  function isLoaded(profile: EsuProfile): boolean {
    const current = check.value.parameters
    return current !== null && parameterFields.every(({ key }) => current[key] === profile.parameters[key])
  }

  function watchProfileChanges(): () => void {
    return onEvent('esu.profilesChanged', () => void refreshProfiles())
  }

  return {
    draft,
    check,
    cost,
    verdict,
    profiles,
    profilesLoaded,
    profilesError,
    refreshProfiles,
    saveProfile,
    deleteProfile,
    loadProfile,
    resetDraft,
    isLoaded,
    watchProfileChanges
  }
})
