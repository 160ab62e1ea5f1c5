// The writes a command may make on a data dir, written once: the CLI runs them itself when the
// data dir is free, and the owner runs them when they arrive on its channel, so its views and
// events show the result and its in-memory graph stays the one true copy.
import { isAbsolute } from 'node:path'
import { z } from 'zod'
import { marketClockSchema, methods } from '../../../src-shared/contract'
import { runDay } from '../../../src-shared/market/day'
import { scenarioSchema } from '../../../src-shared/market/scenario'
import type { OwnerServices } from './services'
import { spam, submitAtRate } from '../ledger/spammer'
import { MAX_TX_BYTES } from '../ledger/transaction'
import { MarketError } from '../market/service'
import { MarketTangleError } from '../market/tangle/marketTangle'
import type { SlotSettled } from '../market/settler'
import { SettlementError } from '../market/settlement'
import { MeterError } from '../meters/service'
import { OcppError } from '../ocpp/errors'
import type { NetworkView } from '../network/view'
import { KeyInputError } from '../wallet/keys'
import { KeystoreError, ROLES } from '../wallet/keystore'
import type { ChannelError } from './channel'
import { holdKeystoreOpen } from './keystoreHold'

/** A refusal of the operation's input; field names the input it is about. */
export class OperationRefused extends Error {
  constructor(
    message: string,
    readonly field?: string
  ) {
    super(message)
    this.name = 'OperationRefused'
  }
}

type Progress = (line: string) => void

interface Operation<S extends z.ZodType, R> {
  input: S
  run(app: OwnerServices, input: z.output<S>, progress: Progress): R | Promise<R>
}

const operation = <S extends z.ZodType, R>(input: S, run: Operation<S, R>['run']): Operation<S, R> => ({ input, run })

/**
 * Runs work with the keystore open under the caller's passphrase, and leaves it as it was: an
 * owner whose operator locked the keystore keeps it locked after a forwarded send.
 */
function withKeys<T>(app: OwnerServices, passphrase: string, work: () => T): T {
  const { keystore } = app.ledger().wallets
  const wasUnlocked = keystore.isUnlocked
  keystore.unlock(passphrase)
  try {
    return work()
  } finally {
    if (!wasUnlocked) keystore.lock()
  }
}

/** The node running on this app: `dv2g node` runs one, the desktop app and serve mode while networking is switched on. */
function runningNetwork(app: OwnerServices): NetworkView {
  const network = app.running.network?.node()
  if (!network) throw new OperationRefused('the process holding this data dir runs no network node: start one with dv2g node')
  return network
}

/** transactions one tangle.submit takes: well inside the channel's line limit */
export const MAX_SUBMITTED = 20_000
/** participants one market.registerAll takes (about 150 bytes each): well inside it too */
export const MAX_REGISTERED_AT_ONCE = 20_000

export const operations = {
  'network.status': operation(z.object({}).strict(), (app) => runningNetwork(app).status()),
  'network.peers': operation(z.object({}).strict(), (app) => runningNetwork(app).peers()),
  'network.banned': operation(z.object({}).strict(), (app) => runningNetwork(app).banned()),
  'wallet.send': operation(
    z.object({ from: z.string().min(1), to: z.string().min(1), amount: z.string().regex(/^\d+$/), passphrase: z.string() }).strict(),
    (app, { from, to, amount, passphrase }) => {
      const outcome = withKeys(app, passphrase, () => app.ledger().wallets.send(from, to, BigInt(amount)))
      if (outcome.status !== 'accepted')
        throw new OperationRefused(`the transfer was refused: ${'reason' in outcome ? outcome.reason : outcome.status}`)
      return { id: outcome.id }
    }
  ),
  'wallet.create': operation(
    z.object({ name: z.string().min(1), role: z.enum(ROLES), mnemonic: z.string().min(1).optional(), passphrase: z.string() }).strict(),
    (app, { name, role, mnemonic, passphrase }) => {
      const { wallets } = app.ledger()
      // the first wallet of a new keystore makes the passphrase the keystore's own
      const made = withKeys(app, passphrase, () =>
        mnemonic === undefined ? wallets.create(name, role) : wallets.import(name, role, mnemonic)
      )
      app.events.emit('wallet.changed', { unlocked: wallets.keystore.isUnlocked })
      return {
        wallet: made.wallet,
        ...('mnemonic' in made ? { mnemonic: made.mnemonic } : {}),
        treasury: made.genesis?.status === 'accepted'
      }
    }
  ),
  'tangle.spam': operation(
    z.object({ count: z.number().int().min(1), rate: z.number().positive().optional() }).strict(),
    async (app, { count, rate }, progress) => {
      const { ledger, confirmation } = app.ledger()
      if (ledger.isEmpty)
        throw new OperationRefused(
          'the tangle has no genesis yet: create the operator wallet first (dv2g wallet create --name treasury --role operator)'
        )
      let lastNote = 0
      return spam(ledger, confirmation, {
        count,
        ...(rate ? { ratePerSecond: rate } : {}),
        onCommitted: (accepted, issued) => {
          if (performance.now() - lastNote < 200 && issued < count) return
          lastNote = performance.now()
          progress(`tangle spam: ${accepted} accepted of ${issued} issued`)
        }
      })
    }
  ),
  'tangle.submit': operation(
    z
      .object({
        // base64, in an order that puts parents first; as many as one channel request carries
        transactions: z
          .array(
            z
              .string()
              .base64()
              .max(Math.ceil(MAX_TX_BYTES / 3) * 4)
          )
          .min(1)
          .max(MAX_SUBMITTED),
        rate: z.number().positive().optional()
      })
      .strict(),
    (app, { transactions, rate }) => {
      const { ledger } = app.ledger()
      if (ledger.isEmpty) throw new OperationRefused('the tangle has no genesis yet: join a network or create the operator wallet first')
      const bytes = transactions.map((t) => new Uint8Array(Buffer.from(t, 'base64')))
      return submitAtRate(ledger, bytes, rate ? { ratePerSecond: rate } : {})
    }
  ),
  'meter.import': operation(
    // absolute paths: the owner's working directory is not the caller's
    z
      .object({ paths: z.array(z.string().refine(isAbsolute, 'must be an absolute path')).min(1), timeZone: z.string().optional() })
      .strict(),
    (app, { paths, timeZone }, progress) =>
      app.meters().importPaths(paths, {
        timeZone,
        onProgress: (p) => {
          if (p.phase !== 'reading') progress(`import ${p.file}/${p.files} ${p.path}: ${p.phase === 'writing' ? 'writing' : 'done'}`)
          else progress(`import ${p.file}/${p.files} ${p.path}: ${((100 * p.bytesRead) / Math.max(1, p.bytesTotal)).toFixed(0)} %`)
        }
      })
  ),
  'market.settle': operation(
    z.object({ runId: z.string().min(1), passphrase: z.string() }).strict(),
    (app, { runId, passphrase }, progress) => {
      const market = app.market()
      market.day(runId) // an unknown run is named before the keystore is touched
      if (app.ledger().wallets.keystore.isNew)
        throw new OperationRefused(
          'this data dir has no keystore: create the operator wallet first (dv2g wallet create --name treasury --role operator)'
        )
      return withKeys(app, passphrase, () => market.settleRun(runId, (slot) => progress(settledLine(slot))))
    }
  ),
  'market.settleDay': operation(
    // the day is solved again here rather than sent: it is deterministic, and what is stored is then
    // what this process solved, its traced slot's iterations included
    z.object({ scenario: scenarioSchema, traceSlot: z.number().int().min(0).nullable(), passphrase: z.string() }).strict(),
    (app, { scenario, traceSlot, passphrase }, progress) => {
      const market = app.market()
      const day = runDay(scenario, { trace: traceSlot === null ? 'none' : [traceSlot] })
      return withKeys(app, passphrase, () => {
        const run = market.storeDay(scenario, day, { settle: true })
        progress(`stored run ${run.id}; if this stops early, finish it with: dv2g market settle --run ${run.id}`)
        return { runId: run.id, result: market.settleRun(run.id, (slot) => progress(settledLine(slot))) }
      })
    }
  ),
  'market.start': operation(
    z
      .object({
        scenario: z.string().min(1),
        definition: scenarioSchema.optional(),
        clock: marketClockSchema,
        slotSeconds: z.number().min(0.5).max(3600).optional(),
        settle: z.boolean(),
        passphrase: z.string().optional()
      })
      .strict(),
    (app, { passphrase, ...input }) => {
      if (passphrase === undefined) return app.market().start(input)
      // the network clock takes the operator's key at the start and holds it for the run's day
      if (!input.settle || input.clock === 'network') return withKeys(app, passphrase, () => app.market().start(input))
      // a local run settles each slot as it clears, so the keystore stays open until the run ends
      const { keystore } = app.ledger().wallets
      const announce = () => app.events.emit('wallet.changed', { unlocked: keystore.isUnlocked })
      const release = holdKeystoreOpen(keystore, passphrase)
      announce()
      const ended = () => (release(), announce())
      try {
        return app.market().start(input, ended)
      } catch (error) {
        ended()
        throw error
      }
    }
  ),
  'market.register': operation(
    z.object({ id: z.string().min(1), role: z.enum(['ev', 'grid']), address: z.string().min(1), passphrase: z.string() }).strict(),
    (app, { passphrase, ...registration }) => withKeys(app, passphrase, () => app.marketTangle().register(registration))
  ),
  'market.registerAll': operation(
    z
      .object({
        participants: z
          .array(z.object({ id: z.string().min(1), role: z.enum(['ev', 'grid']), address: z.string().min(1) }).strict())
          .min(1)
          .max(MAX_REGISTERED_AT_ONCE),
        passphrase: z.string()
      })
      .strict(),
    (app, { participants, passphrase }) => withKeys(app, passphrase, () => app.marketTangle().registerAll(participants))
  ),
  'market.revoke': operation(z.object({ id: z.string().min(1), passphrase: z.string() }).strict(), (app, { id, passphrase }) =>
    withKeys(app, passphrase, () => app.marketTangle().revoke(id))
  ),
  'ocpp.add': operation(methods['ocpp.add'].input, (app, input) =>
    app
      .ocpp()
      .addCharger(input)
      .then(({ charger, password }) => ({ charger, password }))
  ),
  'ocpp.remove': operation(methods['ocpp.remove'].input, (app, { id }) => (app.ocpp().removeCharger(id), { removed: true as const })),
  'ocpp.chargers': operation(z.object({}).strict(), (app) => app.ocpp().chargers()),
  'market.participants': operation(z.object({}).strict(), (app) => app.marketTangle().participants()),
  'market.slotInputs': operation(z.object({ runId: z.string().min(1), t: z.number().int().min(0) }).strict(), (app, { runId, t }) =>
    app.marketTangle().slotInputs(runId, t)
  ),
  'market.deliveries': operation(z.object({ runId: z.string().min(1) }).strict(), (app, { runId }) => app.marketTangle().deliveries(runId)),
  'market.verify': operation(z.object({ runId: z.string().min(1), t: z.number().int().min(0).optional() }).strict(), (app, { runId, t }) =>
    app.marketTangle().verifications(runId, t)
  )
} satisfies Record<string, Operation<z.ZodType, unknown>>

/** One progress line per slot settled, or not. */
export function settledLine(slot: SlotSettled): string {
  return 'error' in slot
    ? `slot ${slot.t} NOT settled: ${slot.error}`
    : `settled slot ${slot.t}: ${slot.transfers.length} transfers, ${slot.records.length} market records`
}

export type OperationName = keyof typeof operations
export type OperationInput<N extends OperationName> = z.input<(typeof operations)[N]['input']>
export type OperationOutput<N extends OperationName> = Awaited<ReturnType<(typeof operations)[N]['run']>>

/** Validates the input (it may come over the channel) and runs the operation. */
export async function runOperation(app: OwnerServices, name: string, input: unknown, progress: Progress): Promise<unknown> {
  if (!Object.prototype.hasOwnProperty.call(operations, name)) throw new OperationRefused(`unknown operation ${JSON.stringify(name)}`)
  const op = operations[name as OperationName] as Operation<z.ZodType, unknown>
  const parsed = op.input.safeParse(input)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new OperationRefused(`${issue.path.join('.') || 'input'}: ${issue.message}`)
  }
  return op.run(app, parsed.data, progress)
}

/** Refusals keep their message and field; anything else is a failure with its message. */
export function operationError(error: unknown): ChannelError {
  if (error instanceof OperationRefused) return { message: error.message, refused: true, ...(error.field ? { field: error.field } : {}) }
  if (error instanceof KeyInputError)
    return { message: error.message, refused: true, field: error.field === 'address' ? 'to' : error.field }
  if (
    error instanceof KeystoreError ||
    error instanceof MeterError ||
    error instanceof MarketError ||
    error instanceof MarketTangleError ||
    error instanceof SettlementError ||
    error instanceof OcppError
  )
    return { message: error.message, refused: true }
  return { message: error instanceof Error ? error.message : String(error), refused: false }
}
