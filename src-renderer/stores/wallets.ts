// The keystore's wallets with their balances and histories. Every key stays in the main process:
// the console only ever holds names, addresses, balances and, once, a new mnemonic to show.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { MethodOutput, Wallet } from '../../src-shared/contract'
import { call, errorMessage, onEvent } from '../api'

type History = MethodOutput<'wallet.history'>

export const useWalletsStore = defineStore('wallets', () => {
  const unlocked = ref(false)
  const newKeystore = ref(true)
  const wallets = ref<Wallet[]>([])
  const loaded = ref(false)
  const error = ref<string | null>(null)
  /** by wallet name, in a Map: a keystore from an earlier release may hold a wallet named "constructor" */
  const histories = ref(new Map<string, History>())
  let request = 0

  async function refresh(): Promise<void> {
    const mine = ++request
    try {
      const state = await call('wallet.list')
      if (mine !== request) return
      unlocked.value = state.unlocked
      newKeystore.value = state.newKeystore
      wallets.value = state.wallets
      loaded.value = true
      error.value = null
      await Promise.all([...histories.value.keys()].map(loadHistory))
    } catch (failure) {
      if (mine === request) error.value = errorMessage(failure)
    }
  }

  async function loadHistory(name: string): Promise<void> {
    const history = await call('wallet.history', { name, limit: 50 })
    histories.value = new Map(histories.value).set(name, history)
  }

  async function unlock(passphrase: string): Promise<void> {
    await call('wallet.unlock', { passphrase })
    await refresh()
  }

  async function lock(): Promise<void> {
    await call('wallet.lock')
    await refresh()
  }

  async function create(name: string, role: Wallet['role']) {
    const created = await call('wallet.create', { name, role })
    await refresh()
    return created
  }

  async function importWallet(name: string, role: Wallet['role'], mnemonic: string) {
    const imported = await call('wallet.import', { name, role, mnemonic })
    await refresh()
    return imported
  }

  async function send(from: string, to: string, amount: string) {
    const sent = await call('wallet.send', { from, to, amount })
    await refresh()
    return sent
  }

  // balances and statuses move with the tangle: follow it, at most once a second under load
  let pending: ReturnType<typeof setTimeout> | undefined
  const refreshSoon = () => {
    pending ??= setTimeout(() => {
      pending = undefined
      void refresh()
    }, 1000)
  }
  onEvent('wallet.changed', () => void refresh())
  onEvent('tangle.statusChanged', refreshSoon)
  // a transfer this console did not make (settlement, or a dv2g command run through this app)
  onEvent('tangle.attached', ({ transactions }) => {
    if (transactions.some((tx) => tx.kind === 'transfer')) refreshSoon()
  })

  return { unlocked, newKeystore, wallets, loaded, error, histories, refresh, loadHistory, unlock, lock, create, importWallet, send }
})
