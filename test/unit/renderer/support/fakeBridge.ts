// A stand-in for the Electron preload at the browser boundary (window.dv2g). It validates inputs
// with the real contract, so refused calls carry the same error bodies the main process sends.
import {
  ApiError,
  methodNames,
  methods,
  parseInput,
  type AppInfo,
  type EsuProfile,
  type EventName,
  type MethodName,
  type BannedPeer,
  type NetworkActivity,
  type NetworkPeer,
  type NetworkStatus,
  type NetworkSwitchState
} from '../../../../src-shared/contract'
import type { BridgeMethods, Dv2gBridge } from '../../../../src-shared/bridge'
import { esuCost } from '../../../../src-shared/market/esu'
import type { ApiErrorBody } from '../../../../src-shared/contract'
import { createFakeMarket } from './fakeMarket'
import { createFakeMeters } from './fakeMeters'
import { createFakeOcpp } from './fakeOcpp'
import { createFakeTangle } from './fakeTangle'

export interface FakeBridge extends Dv2gBridge {
  profiles: Map<string, EsuProfile>
  /** the keystore as the main process would hold it: passphrase "correct horse" opens it */
  keystore: {
    unlocked: boolean
    wallets: { name: string; role: 'operator' | 'grid' | 'ev'; address: string; balance: string; createdAt: string }[]
  }
  calls: { method: MethodName; input: unknown }[]
  /** calls begun and not yet answered */
  readonly pending: number
  /** grows with every call begun or answered: the same number twice means nothing happened between */
  readonly activity: number
  market: ReturnType<typeof createFakeMarket>
  meters: ReturnType<typeof createFakeMeters>
  ocpp: ReturnType<typeof createFakeOcpp>
  tangle: ReturnType<typeof createFakeTangle>
  info: AppInfo
  /** the network node the main process runs, if any: set status and peers to what a test needs */
  network: { status: NetworkStatus; peers: NetworkPeer[]; banned: BannedPeer[]; activity: NetworkActivity | null }
  /** Settings, Network: what the main process's switch holds; a peer without /p2p/ is refused as there */
  networkSwitch: NetworkSwitchState
  emit(name: EventName, payload: unknown): void
  /** the next call of this method fails with this body */
  failNext(method: MethodName, error: ApiErrorBody): void
  /** forgets profiles, recorded calls and planned failures */
  reset(): void
}

export function createFakeBridge(): FakeBridge {
  const listeners = new Set<(name: EventName, payload: unknown) => void>()
  const failures = new Map<MethodName, ApiErrorBody>()
  const profiles = new Map<string, EsuProfile>()
  const calls: FakeBridge['calls'] = []
  let pending = 0
  let activity = 0
  const keystore: FakeBridge['keystore'] = { unlocked: false, wallets: [] }
  const info: AppInfo = {
    version: '0.1.0',
    dataDir: '/tmp/dv2g-renderer-test',
    databaseFile: '/tmp/dv2g-renderer-test/dv2g.sqlite',
    databaseBytes: 4096 * 8,
    schemaVersion: 1,
    latestSchemaVersion: 1,
    journalMode: 'wal',
    tables: [{ name: 'esu_profiles', rows: 0 }],
    transport: 'electron',
    nodeVersion: '20.19.0',
    startedAt: new Date(Date.now() - 65_000).toISOString()
  }

  const emit = (name: EventName, payload: unknown) => listeners.forEach((listener) => listener(name, payload))
  const announce = () => {
    info.tables = [{ name: 'esu_profiles', rows: profiles.size }]
    emit('esu.profilesChanged', { names: [...profiles.values()].map((p) => p.name) })
  }

  const market = createFakeMarket(emit)
  const network: FakeBridge['network'] = { status: { running: false }, peers: [], banned: [], activity: null }
  const switchedOff = (): NetworkSwitchState => ({
    settings: { enabled: false, listen: ['/ip4/127.0.0.1/tcp/4781'], peers: [], mdns: false },
    editable: true,
    running: false,
    error: null
  })
  let networkSwitch = switchedOff()
  const meters = createFakeMeters(emit)
  const ocpp = createFakeOcpp(emit)
  const tangle = createFakeTangle()

  function handle(method: MethodName, rawInput: unknown): unknown {
    const failure = failures.get(method)
    if (failure) {
      failures.delete(method)
      throw new ApiError(failure.code, failure.message, failure.fields)
    }
    if (method.startsWith('market.')) return market.handle(method, rawInput)
    if (method.startsWith('meter.')) return meters.handle(method, rawInput)
    if (method.startsWith('ocpp.')) return ocpp.handle(method, rawInput)
    if (method.startsWith('tangle.')) return tangle.handle(method, rawInput)
    if (method === 'network.status') return network.status
    if (method === 'network.peers') return network.peers
    if (method === 'network.banned') return network.banned
    if (method === 'network.activity') return network.activity
    if (method === 'network.settings') return networkSwitch
    if (method === 'network.configure') {
      const settings = parseInput(method, rawInput)
      const noId = settings.peers.find((peer) => !peer.includes('/p2p/'))
      if (noId) {
        const message = `peer ${noId} needs the peer's id at the end (/p2p/12D3Koo...), as dv2g node prints it`
        throw new ApiError('invalid_argument', message, [{ path: 'peers', message }])
      }
      networkSwitch = { ...networkSwitch, settings, running: settings.enabled }
      return networkSwitch
    }
    switch (method) {
      case 'app.info':
        parseInput(method, rawInput)
        return info
      case 'esu.compute':
        return esuCost(parseInput(method, rawInput))
      case 'esu.listProfiles':
        parseInput(method, rawInput)
        return [...profiles.values()].sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()))
      case 'esu.saveProfile': {
        const { name, parameters } = parseInput(method, rawInput)
        const profile = { name, parameters, updatedAt: new Date().toISOString() }
        profiles.set(name.toLowerCase(), profile)
        announce()
        return profile
      }
      case 'esu.deleteProfile': {
        const { name } = parseInput(method, rawInput)
        const deleted = profiles.delete(name.toLowerCase())
        if (deleted) announce()
        return { deleted }
      }
      case 'wallet.list':
        return { unlocked: keystore.unlocked, newKeystore: keystore.wallets.length === 0, wallets: keystore.wallets }
      case 'wallet.unlock': {
        const { passphrase } = parseInput(method, rawInput)
        if (passphrase !== 'correct horse') {
          const message = 'wrong passphrase: the keystore could not be opened with it'
          throw new ApiError('invalid_argument', `passphrase: ${message}`, [{ path: 'passphrase', message }])
        }
        keystore.unlocked = true
        return { unlocked: true }
      }
      case 'wallet.create': {
        const { name, role } = parseInput(method, rawInput)
        const treasury = role === 'operator' && keystore.wallets.length === 0
        const wallet = {
          name,
          role,
          address: `dv2g1${name.replace(/\W/g, '')}qqqq`,
          balance: treasury ? '1000000000000000' : '0',
          createdAt: new Date(0).toISOString()
        }
        keystore.wallets.push(wallet)
        return { wallet, mnemonic: Array.from({ length: 24 }, (_, i) => `word${i}`).join(' '), treasury }
      }
      case 'wallet.send': {
        parseInput(method, rawInput)
        return { id: 'ab'.repeat(32) }
      }
      case 'wallet.history':
        return []
    }
  }

  const bridgeMethods = Object.fromEntries(
    methodNames.map((method) => [
      method,
      async (input?: unknown) => {
        calls.push({ method, input })
        pending++
        activity++
        try {
          return { ok: true, output: methods[method].output.parse(await handle(method, input)) }
        } catch (error) {
          if (error instanceof ApiError) return { ok: false, error: error.toBody() }
          throw error
        } finally {
          pending--
          activity++
        }
      }
    ])
  ) as unknown as BridgeMethods

  return {
    methods: bridgeMethods,
    onEvent(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    profiles,
    keystore,
    calls,
    get pending() {
      return pending
    },
    get activity() {
      return activity
    },
    market,
    meters,
    ocpp,
    tangle,
    info,
    network,
    get networkSwitch() {
      return networkSwitch
    },
    set networkSwitch(next) {
      networkSwitch = next
    },
    emit,
    failNext: (method, error) => failures.set(method, error),
    reset() {
      profiles.clear()
      failures.clear()
      calls.length = 0
      keystore.unlocked = false
      keystore.wallets = []
      // an app started 65 s before this test, not before this file was loaded (slow on a busy machine)
      info.startedAt = new Date(Date.now() - 65_000).toISOString()
      market.reset()
      meters.reset()
      ocpp.reset()
      tangle.reset()
      network.status = { running: false }
      network.peers = []
      network.banned = []
      network.activity = null
      networkSwitch = switchedOff()
    }
  }
}
