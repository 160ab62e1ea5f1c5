// Contract handlers: method -> service call. Both transports dispatch through here, so a call is
// validated by the same schemas whichever way it arrived.
import { ApiError, isMethodName, methods, parseInput, type MethodName, type MethodOutput, type TangleTx } from '../../src-shared/contract'
import { esuCost, EsuNotFiniteError } from '../../src-shared/market/esu'
import type { App } from './app'
import type { IngestOutcome } from './ledger/ledger'
import { MarketError } from './market/service'
import { MarketTangleError } from './market/tangle/marketTangle'
import { OcppError } from './ocpp/errors'
import { OcppSettingsError } from './ocpp/settings'
import { ocppControlOf, type OcppControl } from './ocpp/switch'
import { MeterError, MeterService } from './meters/service'
import { isTimeZone } from './meters/timeZone'
import { NetworkSettingsError } from './network/settings'
import { networkControlOf, type NetworkControl } from './network/switch'
import { networkOf } from './network/view'
import { spam } from './ledger/spammer'
import { decodeAddress, KeyInputError } from './wallet/keys'
import { KeystoreError, type WalletInfo } from './wallet/keystore'
import { AmountError, type Wallets } from './wallet/wallets'

type Handlers = { [M in MethodName]: (input: ReturnType<typeof parseInput<M>>) => MethodOutput<M> | Promise<MethodOutput<M>> }

/**
 * A keystore or ledger refusal, reported against the input field it is about: one field, or the
 * field each kind of refusal is about.
 */
function refusedAt(field: string | ((error: KeystoreError | KeyInputError) => string), work: () => unknown) {
  try {
    return work()
  } catch (error) {
    if (error instanceof KeystoreError || error instanceof KeyInputError) {
      const path = typeof field === 'string' ? field : field(error)
      throw new ApiError('invalid_argument', `${path}: ${error.message}`, [{ path, message: error.message }])
    }
    throw error
  }
}

/**
 * A market or meter refusal: an unknown run or scenario is not_found; anything else names its
 * field when the message starts with it ("slotSeconds: …").
 */
/** The networking switch of the desktop app or dv2g serve; other processes have none. */
function networkControl(app: App): NetworkControl {
  const control = networkControlOf(app)
  if (!control) throw new ApiError('not_found', 'this process has no networking switch: the desktop app and dv2g serve have one')
  return control
}

/** A service's refusal as the contract's error: invalid_argument naming the field its message starts with, or not_found. */
function asApiError(error: unknown): unknown {
  if (error instanceof MarketError && error.notFound) return new ApiError('not_found', error.message)
  if (!(
    error instanceof MarketError ||
    error instanceof MarketTangleError ||
    error instanceof MeterError ||
    error instanceof OcppError ||
    error instanceof OcppSettingsError
  ))
    return error
  const field = /^(\w+): /.exec(error.message)?.[1]
  return new ApiError(
    'invalid_argument',
    error.message,
    field ? [{ path: field, message: error.message.slice(field.length + 2) }] : undefined
  )
}

function serviceCall<T>(work: () => T): T {
  try {
    const result = work()
    return (result instanceof Promise ? result.catch((error: unknown) => Promise.reject(asApiError(error))) : result) as T
  } catch (error) {
    throw asApiError(error)
  }
}

function ocppControl(app: App): OcppControl {
  const control = ocppControlOf(app)
  if (!control) throw new ApiError('not_found', 'this process runs no OCPP central system: the desktop app, dv2g serve and dv2g node do')
  return control
}

export function createHandlers(app: App): Handlers {
  const ledger = () => app.ledger()
  const walletView = (w: WalletInfo) => ({ ...w, balance: ledger().ledger.balanceOf(decodeAddress(w.address)).toString() })
  const announceWallets = () => app.events.emit('wallet.changed', { unlocked: ledger().wallets.keystore.isUnlocked })
  return {
    'app.info': () => app.info(),
    'esu.compute': (parameters) => {
      try {
        return esuCost(parameters)
      } catch (error) {
        if (error instanceof EsuNotFiniteError)
          throw new ApiError('invalid_argument', error.message, [
            { path: error.field, message: error.message.slice(error.field.length + 2) }
          ])
        throw error
      }
    },
    'esu.listProfiles': () => app.esuProfiles.list(),
    'esu.saveProfile': ({ name, parameters }) => app.esuProfiles.save(name, parameters),
    'esu.deleteProfile': ({ name }) => ({ deleted: app.esuProfiles.delete(name) }),

    'wallet.list': () => {
      const { keystore } = ledger().wallets
      return { unlocked: keystore.isUnlocked, newKeystore: keystore.isNew, wallets: keystore.list().map(walletView) }
    },
    'wallet.unlock': ({ passphrase }) => {
      refusedAt('passphrase', () => ledger().wallets.keystore.unlock(passphrase))
      announceWallets()
      return { unlocked: true as const }
    },
    'wallet.lock': () => {
      ledger().wallets.keystore.lock()
      announceWallets()
      return { unlocked: false as const }
    },
    'wallet.create': ({ name, role }) => {
      const created = refusedAt('name', () => ledger().wallets.create(name, role)) as ReturnType<Wallets['create']>
      announceWallets()
      return { wallet: walletView(created.wallet), mnemonic: created.mnemonic, treasury: created.genesis?.status === 'accepted' }
    },
    'wallet.import': ({ name, role, mnemonic }) => {
      const imported = refusedAt('mnemonic', () => ledger().wallets.import(name, role, mnemonic)) as ReturnType<Wallets['import']>
      announceWallets()
      return { wallet: walletView(imported.wallet), treasury: imported.genesis?.status === 'accepted' }
    },
    'wallet.send': ({ from, to, amount }) => {
      // insufficient funds is about the amount, a bad address about the recipient, anything else (an unknown or locked wallet) about the sender
      const fieldOf = (error: KeystoreError | KeyInputError) =>
        error instanceof AmountError ? 'amount' : error instanceof KeyInputError ? 'to' : 'from'
      const outcome = refusedAt(fieldOf, () => ledger().wallets.send(from, to, BigInt(amount))) as IngestOutcome
      if (outcome.status !== 'accepted') {
        throw new ApiError('invalid_argument', `the transfer was refused: ${'reason' in outcome ? outcome.reason : outcome.status}`)
      }
      return { id: outcome.id }
    },
    'wallet.history': ({ name, limit }) =>
      (refusedAt('name', () => ledger().wallets.history(name, limit ?? 100)) as ReturnType<Wallets['history']>).map((h) => ({
        ...h,
        amount: h.amount.toString()
      })),

    'tangle.stats': () => ledger().tangle.stats(),
    'tangle.recent': ({ limit }) => ledger().tangle.recent(limit),
    'tangle.transaction': ({ id }) => {
      const detail = ledger().tangle.transaction(id)
      if (!detail) throw new ApiError('not_found', `no transaction ${id} in this tangle`)
      return detail
    },
    'tangle.spam': ({ count, rate }) => {
      const { ledger: tangleLedger, confirmation } = ledger()
      if (tangleLedger.isEmpty) throw new ApiError('invalid_argument', 'the tangle has no genesis yet: create the operator wallet first')
      void spam(tangleLedger, confirmation, { count, ratePerSecond: rate }).catch((error: unknown) =>
        console.error('dv2g: spam stopped:', error)
      )
      return { started: true as const }
    },
    'tangle.search': ({ query }) => {
      const { tangle, wallets } = ledger()
      const publicKeyOf = (address: string) => {
        const wallet = wallets.keystore.list().find((w) => w.address === address)
        return wallet ? Buffer.from(wallet.publicKey, 'hex') : undefined
      }
      return refusedAt('query', () => tangle.search(query, publicKeyOf, decodeAddress)) as TangleTx[]
    },

    'market.scenarios': () => app.market().scenarios(),
    'market.start': (input) => serviceCall(() => app.market().start(input)),
    'market.control': ({ runId, action }) => serviceCall(() => app.market().control(runId, action)),
    'market.setGame': ({ runId, game }) => serviceCall(() => app.market().setGame(runId, game)),
    'market.settle': ({ runId }) => serviceCall(() => app.market().settleRun(runId)),
    'market.runs': () => app.market().runs(),
    'market.day': ({ runId }) => serviceCall(() => app.market().day(runId)),
    'market.slot': ({ runId, t }) => serviceCall(() => app.market().slot(runId, t)),
    'market.participants': () => serviceCall(() => app.marketTangle().participantsWithLastInput()),
    'market.register': (input) => serviceCall(() => app.marketTangle().register(input)),
    'market.revoke': ({ id }) => serviceCall(() => app.marketTangle().revoke(id)),
    'market.slotInputs': ({ runId, t }) => serviceCall(() => app.marketTangle().slotInputs(runId, t - 1)),
    'market.verifications': ({ runId }) =>
      serviceCall(() =>
        app
          .marketTangle()
          .verifications(runId)
          .slots.map((s) => ({ t: s.t + 1, matches: s.matches, differences: s.differences }))
      ),
    'market.deliveries': ({ runId }) =>
      serviceCall(() =>
        app
          .marketTangle()
          .deliveries(runId)
          .slots.map((s) => ({ ...s, t: s.t + 1 }))
      ),
    'market.tradesCsv': ({ runId }) => serviceCall(() => app.market().tradesCsv(runId)),

    'meter.availablePorts': () => MeterService.availablePorts(),
    'meter.ports': () => app.meters().ports(),
    'meter.addPort': ({ path, protocol, prosumer }) =>
      serviceCall(() => app.meters().addPort(path, MeterService.settingsFor(protocol), prosumer)),
    'meter.removePort': ({ path }) => serviceCall(() => (app.meters().removePort(path), { removed: true as const })),
    'meter.list': () => app.meters().meters(),
    'meter.assign': ({ meterId, prosumer }) => serviceCall(() => (app.meters().assign(meterId, prosumer), app.meters().meters())),
    // without a start, the newest readings: what the live chart needs
    'meter.readings': ({ meterId, fromMs, toMs, limit }) =>
      fromMs === undefined && toMs === undefined
        ? app.meters().store.latest(meterId, limit ?? 2000)
        : app.meters().store.readings(meterId, fromMs ?? 0, toMs ?? Number.MAX_SAFE_INTEGER, limit ?? 10_000),
    'meter.volumes': () => app.meters().volumes(),

    'network.status': () => {
      const network = networkOf(app)
      return network ? { running: true as const, ...network.status() } : { running: false as const }
    },
    'network.peers': () => networkOf(app)?.peers() ?? [],
    'network.banned': () => networkOf(app)?.banned() ?? [],
    'network.activity': () => networkOf(app)?.activity() ?? null,
    'network.settings': () => networkControl(app).state(),
    'network.configure': async (settings) => {
      try {
        return await networkControl(app).configure(settings)
      } catch (error) {
        if (!(error instanceof NetworkSettingsError)) throw error
        const path = error.field === 'file' ? 'enabled' : error.field
        throw new ApiError('invalid_argument', error.message, [{ path, message: error.message }])
      }
    },
    'ocpp.chargers': () => app.ocpp().consoleView(),
    'ocpp.add': (input) =>
      serviceCall(async () => {
        const { charger, password } = await app.ocpp().addCharger(input)
        return {
          charger: app
            .ocpp()
            .consoleView()
            .find((c) => c.id === charger.id)!,
          password
        }
      }),
    'ocpp.update': ({ id, ...changes }) =>
      serviceCall(
        () => (
          app.ocpp().updateCharger(id, changes),
          app
            .ocpp()
            .consoleView()
            .find((c) => c.id === id)!
        )
      ),
    'ocpp.remove': ({ id }) => serviceCall(() => (app.ocpp().removeCharger(id), { removed: true as const })),
    'ocpp.settings': () => ocppControl(app).state(),
    'ocpp.configure': (changes) => serviceCall(() => ocppControl(app).configure(changes)),
    'meter.import': async ({ paths, timeZone }) => {
      if (timeZone && !isTimeZone(timeZone))
        throw new ApiError('invalid_argument', `timeZone: "${timeZone}" is not a time zone`, [
          { path: 'timeZone', message: 'is not a time zone (e.g. Europe/Amsterdam)' }
        ])
      try {
        return await app.meters().importPaths(paths, { timeZone })
      } catch (error) {
        if (error instanceof MeterError)
          throw new ApiError('invalid_argument', `paths: ${error.message}`, [{ path: 'paths', message: error.message }])
        throw error
      }
    }
  }
}

export type Dispatch = (method: unknown, input: unknown) => Promise<unknown>

/** Validates the method and its input, runs it, and checks what it returns against the contract. */
export function createDispatcher(app: App): Dispatch {
  const handlers = createHandlers(app)
  return async (method, input) => {
    if (!isMethodName(method)) {
      throw new ApiError('unknown_method', `unknown method ${JSON.stringify(method)}`)
    }
    const parsed = parseInput(method, input)
    const handler = handlers[method] as (input: unknown) => unknown
    const output = await handler(parsed)
    return methods[method].output.parse(output)
  }
}

/** What a transport sends back for a failure: contract errors as they are, anything else hidden. */
export function toErrorBody(error: unknown): ReturnType<ApiError['toBody']> {
  if (error instanceof ApiError) return error.toBody()
  console.error(error)
  return { code: 'internal', message: 'internal error; see the main process log' }
}
