// The one contract between the console and the main process. Every method is named here with
// the zod schemas of its input and output; both transports (Electron IPC, serve mode) and the
// renderer's client validate against these same schemas.
import { z } from 'zod'
import { nameSchema } from './names'

const between = (min: number, max: number) =>
  z.number({ error: 'must be a number' }).refine((v) => Number.isFinite(v) && v >= min && v <= max, {
    message: `must be between ${min} and ${max}`
  })
const above = (min: number, max: number) =>
  z.number({ error: 'must be a number' }).refine((v) => Number.isFinite(v) && v > min && v <= max, {
    message: `must be greater than ${min} and at most ${max}`
  })

/**
 * Inputs of the ESU cost model, eqs. (9)–(11); ranges are what a real battery can have, and keep
 * every figure finite: L_T is at least 0.001 kWh, the annuity's (1+r)^l − 1 never underflows to 0.
 */
export const esuParametersSchema = z.object({
  capacityKWh: between(0.1, 100_000),
  depthOfDischarge: between(0.01, 1),
  cycleLife: between(1, 1_000_000).refine(Number.isInteger, { message: 'must be a whole number of cycles' }),
  combinedCost: between(0, 1e12),
  maintenancePerYear: between(0, 1e12),
  interestRate: between(0, 1),
  lifetimeYears: between(1, 100),
  daysPerYear: between(1, 366)
})
export type EsuParametersInput = z.infer<typeof esuParametersSchema>

/**
 * A saved profile's parameters as earlier versions accepted them: a profile saved then still
 * lists and loads, and the calculator names the field now out of range.
 */
export const storedEsuParametersSchema = esuParametersSchema.extend({
  capacityKWh: above(0, 100_000),
  depthOfDischarge: above(0, 1),
  lifetimeYears: above(0, 100)
})

export const esuCostSchema = z.object({
  annuityFactor: z.number(),
  costPerDay: z.number(),
  lifetimeThroughputKWh: z.number(),
  degradationCostPerKWh: z.number()
})

export const profileNameSchema = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, { message: 'must not be empty' })
  .max(64, { message: 'must be at most 64 characters' })

export const esuProfileSchema = z.object({
  name: profileNameSchema,
  parameters: storedEsuParametersSchema,
  updatedAt: z.string()
})
export type EsuProfile = z.infer<typeof esuProfileSchema>

export const appInfoSchema = z.object({
  version: z.string(),
  dataDir: z.string(),
  databaseFile: z.string(),
  databaseBytes: z.number(),
  schemaVersion: z.number().int(),
  latestSchemaVersion: z.number().int(),
  journalMode: z.string(),
  tables: z.array(z.object({ name: z.string(), rows: z.number().int() })),
  transport: z.enum(['electron', 'serve']),
  nodeVersion: z.string(),
  startedAt: z.string()
})
export type AppInfo = z.infer<typeof appInfoSchema>

const noInput = z.object({}).strict().optional()

export const roleSchema = z.enum(['operator', 'grid', 'ev'], { error: 'must be operator, grid or ev' })
const walletNameSchema = z
  .string({ error: 'must be a string' })
  .trim()
  .regex(/^[\w .-]{1,64}$/, { message: 'must be 1 to 64 letters, digits, spaces, dots, dashes or underscores' })
/** A wallet's name when it is made: the names rule too (a wallet an earlier release let through keeps working). */
const newWalletNameSchema = nameSchema().regex(/^[\w .-]{1,64}$/, {
  message: 'must be 1 to 64 letters, digits, spaces, dots, dashes or underscores'
})
/** Token amounts travel as decimal strings of base units: integers beyond 2^53 stay exact. */
const baseUnitsSchema = z
  .string({ error: 'must be a string of base units' })
  .regex(/^\d{1,19}$/, { message: 'must be a whole number of base units' })
const txIdSchema = z.string().regex(/^[0-9a-f]{64}$/, { message: 'must be 64 hex digits' })
/**
 * With milestone issuers in the genesis: confirmed is final (a milestone applied it), conflicting
 * lost a double spend at a milestone, preconfirmed is the weighted walk's confidence before that.
 * A tangle from before milestones has only pending, confirmed and rejected (the walk's verdicts).
 */
export const txStatusSchema = z.enum(['pending', 'preconfirmed', 'confirmed', 'conflicting', 'rejected'])

export const walletSchema = z.object({
  name: z.string(),
  role: roleSchema,
  address: z.string(),
  balance: baseUnitsSchema,
  createdAt: z.string()
})
export type Wallet = z.infer<typeof walletSchema>

export const tangleTxSchema = z.object({
  id: txIdSchema,
  trunk: txIdSchema.nullable(),
  branch: txIdSchema.nullable(),
  kind: z.enum(['genesis', 'transfer', 'data']),
  status: txStatusSchema,
  tip: z.boolean(),
  receivedAt: z.number()
})
export type TangleTx = z.infer<typeof tangleTxSchema>

export const tangleStatsSchema = z.object({
  transactions: z.number().int(),
  tips: z.number().int(),
  confirmed: z.number().int(),
  pending: z.number().int(),
  rejected: z.number().int(),
  preconfirmed: z.number().int(),
  conflicting: z.number().int(),
  dbBytes: z.number(),
  txPerSecond: z.number(),
  medianConfirmationMs: z.number().nullable()
})

export const tangleTxDetailSchema = tangleTxSchema.extend({
  approvers: z.array(txIdSchema),
  issuer: z.string(),
  issuerAddress: z.string(),
  timestamp: z.number(),
  payload: z.union([
    z.object({ kind: z.literal('genesis'), outputs: z.array(z.object({ address: z.string(), amount: baseUnitsSchema })) }),
    z.object({
      kind: z.literal('transfer'),
      inputs: z.array(z.object({ txId: txIdSchema, index: z.number().int() })),
      outputs: z.array(z.object({ address: z.string(), amount: baseUnitsSchema }))
    }),
    z.object({ kind: z.literal('data'), topic: z.string(), body: z.string() })
  ]),
  cumulativeWeight: z.number().int(),
  confidence: z.number(),
  /** the milestone that made it confirmed or conflicting; null while pending (and on a tangle without milestones) */
  milestone: z.number().int().nullable()
})
export type TangleTxDetail = z.infer<typeof tangleTxDetailSchema>

const num = z.number()
const count = z.number().int()

/** One price announcement of Algorithm 2: prices, Q, D, R and u per seller, and ū (figs. 7–9, 11). */
export const traceStepSchema = z.object({
  prices: z.array(num),
  q: z.array(num),
  demand: z.array(num),
  ratio: z.array(num.nullable()),
  utility: z.array(num),
  meanUtility: num,
  egtIterations: count
})

export const slotOutcomeSchema = z.object({
  t: count,
  priceCap: num,
  converged: z.boolean(),
  iterations: z.object({ stackelberg: count, egt: count }),
  clearingPrice: num.nullable(),
  sellers: z.array(
    z.object({
      id: z.string(),
      supplyKWh: num,
      reservePrice: num,
      price: num,
      probability: num,
      demandKWh: num,
      ratio: num.nullable(),
      utility: num,
      soldKWh: num,
      earned: num
    })
  ),
  buyers: z.array(z.object({ id: z.string(), demandCapKWh: num, boughtKWh: num, paid: num, welfare: num })),
  trades: z.array(z.object({ buyer: z.string(), seller: z.string(), energyKWh: num, price: num, paid: num })),
  baseline: z.object({ sellers: z.array(z.object({ id: z.string(), ask: num, soldKWh: num })), totalPaid: num }),
  tradedKWh: num,
  totalPaid: num,
  fromMeters: z.array(z.string()),
  trace: z.object({ sellers: z.array(z.string()), steps: z.array(traceStepSchema) }).nullable()
})

export const dayResultSchema = z.object({
  scenario: z.string(),
  slots: z.array(slotOutcomeSchema),
  evs: z.array(
    z.object({ id: z.string(), pcr: z.array(num.nullable()), exportableKWh: z.array(num), soldKWh: z.array(num), batteryKWh: z.array(num) })
  ),
  grids: z.array(
    z.object({
      id: z.string(),
      pcr: z.array(num.nullable()),
      demandCapKWh: z.array(num),
      boughtKWh: z.array(num),
      storageKWh: z.array(num)
    })
  ),
  converged: z.boolean(),
  totalTradedKWh: num,
  totalPaid: num
})

/** σ1, σ2 and C as the operator edits them between slots. */
export const gameEditSchema = z
  .object({
    sigma1: z.number().positive({ message: 'must be greater than 0' }).max(1e6).optional(),
    sigma2: z.number().positive({ message: 'must be greater than 0' }).max(1e6).optional(),
    C: z.number().positive({ message: 'must be greater than 0' }).max(1).optional()
  })
  .strict()

export const marketClockSchema = z.enum(['instant', 'accelerated', 'hourly', 'network'], {
  error: 'must be instant, accelerated, hourly or network'
})

export const marketRunSchema = z.object({
  id: z.string(),
  scenario: z.string(),
  clock: marketClockSchema,
  slotSeconds: num.nullable(),
  settle: z.boolean(),
  status: z.enum(['running', 'paused', 'finished', 'stopped']),
  slots: count,
  nextSlot: count,
  solvedSlots: count,
  settledSlots: count,
  unconvergedSlots: count,
  tradedKWh: num,
  paid: num,
  currency: z.string(),
  /** token base units settled per currency unit */
  tokenBaseUnitsPerCurrencyUnit: count,
  game: z.object({ sigma1: num, sigma2: num, C: num }),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  /** when the next slot is due (ms since the epoch), null when none is scheduled */
  nextSlotAt: num.nullable()
})
export type MarketRun = z.infer<typeof marketRunSchema>

export const serialSettingsSchema = z.object({
  baudRate: count,
  dataBits: z.union([z.literal(5), z.literal(6), z.literal(7), z.literal(8)]),
  parity: z.enum(['none', 'even', 'odd']),
  stopBits: z.union([z.literal(1), z.literal(2)])
})

export const meterPortSchema = z.object({
  path: z.string(),
  protocol: z.literal('dsmr'),
  settings: serialSettingsSchema,
  prosumer: z.string().nullable(),
  status: z.enum(['connecting', 'connected', 'disconnected', 'stopped']),
  detail: z.string().nullable(),
  telegrams: count,
  rejected: count,
  lastTelegramAt: num.nullable()
})
export type MeterPort = z.infer<typeof meterPortSchema>

export const meterSchema = z.object({
  id: z.string(),
  port: z.string().nullable(),
  prosumer: z.string().nullable(),
  readings: count,
  firstSeenMs: num,
  lastSeenMs: num,
  last: z.object({ tsMs: num, importWh: num, exportWh: num, powerW: num.nullable() }).nullable()
})
export type Meter = z.infer<typeof meterSchema>

export const fileImportSchema = z.object({
  path: z.string(),
  kind: z.enum(['csv', 'dsmr']),
  inserted: count,
  duplicates: count,
  resets: count,
  gaps: count,
  rejected: z.array(z.object({ line: count, reason: z.string() })),
  rejectedCount: count
})
export type FileImportResult = z.infer<typeof fileImportSchema>

/** A peer of the network node, as dv2g peers --json gives it. */
export const networkPeerSchema = z.object({
  id: z.string(),
  addresses: z.array(z.string()),
  connected: z.boolean(),
  latencyMs: num.nullable(),
  score: num
})
export type NetworkPeer = z.infer<typeof networkPeerSchema>

/** A peer banned for misbehaving, as dv2g peers --banned --json gives it: until is ISO 8601. */
export const bannedPeerSchema = z.object({
  id: z.string(),
  reason: z.string(),
  until: z.string()
})
export type BannedPeer = z.infer<typeof bannedPeerSchema>

/** Counters since the node started (the console turns them into rates) and the sync under way. */
export const networkActivitySchema = z.object({
  gossip: z.object({ received: count, rejected: count, published: count }),
  sync: z.object({ peer: z.string(), target: count, received: count }).nullable(),
  /** peers' transactions waiting to be stored, the queue's bound, and gossip turned away because it was full */
  ingest: z.object({ queued: count, capacity: count, turnedAway: count })
})
export type NetworkActivity = z.infer<typeof networkActivitySchema>

/** The network node this process runs, as dv2g network status --json gives it; running false when it runs none. */
export const networkStatusSchema = z.discriminatedUnion('running', [
  z.object({
    running: z.literal(true),
    peerId: z.string(),
    /** the genesis id; null until the node has one */
    networkId: z.string().nullable(),
    listen: z.array(z.string()),
    peers: count,
    latestMilestone: count.nullable(),
    stateHash: z.string().nullable(),
    syncing: z.boolean(),
    transactions: count
  }),
  z.object({ running: z.literal(false) })
])
export type NetworkStatus = z.infer<typeof networkStatusSchema>

const addressList = (max: number) => z.array(z.string().trim().min(1, { message: 'must not be empty' }).max(512)).max(max)

/** Settings, Network: whether the desktop app or dv2g serve runs this data dir as a node, and how. */
export const networkSettingsSchema = z
  .object({
    enabled: z.boolean(),
    /** multiaddrs to listen on, e.g. /ip4/127.0.0.1/tcp/4781 */
    listen: addressList(8).min(1, { message: 'needs at least one address' }),
    /** bootstrap peers, each ending with its /p2p/ id */
    peers: addressList(64),
    /** find peers on the LAN (multicast DNS) */
    mdns: z.boolean()
  })
  .strict()
export type NetworkSettings = z.infer<typeof networkSettingsSchema>

export const networkSwitchSchema = z.object({
  settings: networkSettingsSchema,
  /** false when dv2g serve's command line decided the node */
  editable: z.boolean(),
  running: z.boolean(),
  /** why the node does not run as the settings ask, or null */
  error: z.string().nullable()
})
export type NetworkSwitchState = z.infer<typeof networkSwitchSchema>

/** The answer to the last charging profile sent to a connector: what was asked, what the charger was told, and what it said. */
export const ocppProfileSchema = z.object({
  /** negative: discharge, W */
  setpointW: num,
  /** what the slot's allocation asked for; differs from setpointW when discharge was clamped at 0 */
  requestedW: num,
  /** a 1.6 or 2.0.1 charger not set to read a negative limit as discharge gets 0 instead */
  clamped: z.boolean(),
  status: z.enum(['Accepted', 'Rejected', 'NotSupported', 'Failed']),
  /** the charger's reason (statusInfo), or why the call failed; null when accepted */
  reason: z.string().nullable(),
  sentMs: num,
  /** what GetCompositeSchedule says the charger will do at the slot's start (W); null when it did not say */
  confirmedW: num.nullable()
})
export type OcppProfile = z.infer<typeof ocppProfileSchema>

export const ocppConnectorSchema = z.object({
  id: count,
  /** the charger's last StatusNotification (Available, Charging, Occupied, Faulted, ...), null before one */
  status: z.string().nullable(),
  /** the transaction id of the session under way, null between sessions */
  session: z.string().nullable(),
  powerW: num.nullable(),
  socPercent: num.nullable(),
  energyImportWh: num.nullable(),
  energyExportWh: num.nullable(),
  lastProfile: ocppProfileSchema.nullable()
})

/** A registered charger and what it reports, as dv2g ocpp chargers --json gives it (with the settings beside). */
export const ocppChargerSchema = z.object({
  id: z.string(),
  /** false: a charger the operator has not added, connected and waiting (Pending) */
  registered: z.boolean(),
  /** the OCPP version it connected with last, null if it never did */
  protocol: z.enum(['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1']).nullable(),
  connected: z.boolean(),
  /** 1.6 and 2.0.1: the charger reads a negative limit as discharge (2.1 has setpoints for that) */
  dischargeByNegativeLimit: z.boolean(),
  /** the market participant its sessions stand for */
  prosumer: z.string().nullable(),
  lastSeenMs: num.nullable(),
  connectors: z.array(ocppConnectorSchema)
})
export type OcppCharger = z.infer<typeof ocppChargerSchema>

const chargerIdPattern = /^[A-Za-z0-9._-]{1,48}$/
const chargerIdMessage = { message: 'must be 1–48 letters, digits, dots, dashes or underscores' }
const chargerIdSchema = z.string().trim().regex(chargerIdPattern, chargerIdMessage)
/** A charger's id when it is added: the names rule too (one an earlier release let through can still be changed or removed). */
const newChargerIdSchema = nameSchema().regex(chargerIdPattern, chargerIdMessage)

const hostPortSchema = z
  .string()
  .trim()
  .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, { message: 'must be HOST:PORT, e.g. 127.0.0.1:9220' })

/** Settings, OCPP: where the central system listens, and what happens to a charger it does not know. */
export const ocppSettingsSchema = z.object({
  /** HOST:PORT the central system is to listen on when this console runs it; null: off */
  listen: z.string().nullable(),
  /** false when dv2g serve's or dv2g node's --ocpp-listen decided it */
  editable: z.boolean(),
  /** ws://127.0.0.1:9220/ocpp/ or wss://…/ocpp/ (a charger's id follows); null when no central system runs */
  endpoint: z.string().nullable(),
  /** why it does not run as the settings ask (a port in use, no TLS certificate off loopback), or null */
  error: z.string().nullable(),
  /** 1: Basic auth on loopback; 2: TLS and Basic auth */
  securityProfile: z.union([z.literal(1), z.literal(2)]).nullable(),
  unknownChargers: z.enum(['Pending', 'Rejected'])
})
export type OcppSettings = z.infer<typeof ocppSettingsSchema>

/** a market participant's id */
const prosumerSchema = nameSchema().nullable()
/** a path as long as Linux allows */
export const MAX_PATH_CHARS = 4096
/** the files and folders one meter.import takes: a chosen volume's logs, or folders of them */
export const MAX_IMPORT_PATHS = 256
/**
 * The largest call serve mode carries, as an HTTP body or one WebSocket frame: meter.import's
 * largest input, each path character at most 3 bytes of UTF-8 in JSON (the control characters and
 * lone surrogates that JSON writes as 6 are refused), and room for the call around it. Every other
 * method's input is bounded well below it.
 */
export const MAX_CALL_BYTES = Math.ceil((MAX_IMPORT_PATHS * (3 * MAX_PATH_CHARS + 3) + 64 * 1024) / (1 << 20)) * (1 << 20)
const pathSchema = z
  .string()
  .trim()
  .min(1, { message: 'must not be empty' })
  .max(MAX_PATH_CHARS)
  .regex(/^[^\p{Cc}\p{Cs}]*$/u, { message: 'must not hold control characters' })

const runIdSchema = z.string().uuid({ message: 'must be a run id' })

function method<I extends z.ZodType, O extends z.ZodType>(input: I, output: O) {
  return { input, output }
}

export const methods = {
  'app.info': method(noInput, appInfoSchema),
  'esu.compute': method(esuParametersSchema, esuCostSchema),
  'esu.listProfiles': method(noInput, z.array(esuProfileSchema)),
  'esu.saveProfile': method(z.object({ name: profileNameSchema, parameters: esuParametersSchema }).strict(), esuProfileSchema),
  'esu.deleteProfile': method(z.object({ name: profileNameSchema }).strict(), z.object({ deleted: z.boolean() })),

  'wallet.list': method(noInput, z.object({ unlocked: z.boolean(), newKeystore: z.boolean(), wallets: z.array(walletSchema) })),
  'wallet.unlock': method(
    z.object({ passphrase: z.string().min(1, { message: 'must not be empty' }).max(1024) }).strict(),
    z.object({ unlocked: z.literal(true) })
  ),
  'wallet.lock': method(noInput, z.object({ unlocked: z.literal(false) })),
  'wallet.create': method(
    z.object({ name: newWalletNameSchema, role: roleSchema }).strict(),
    z.object({ wallet: walletSchema, mnemonic: z.string(), treasury: z.boolean() })
  ),
  'wallet.import': method(
    z
      .object({ name: newWalletNameSchema, role: roleSchema, mnemonic: z.string().min(1, { message: 'must not be empty' }).max(1024) })
      .strict(),
    z.object({ wallet: walletSchema, treasury: z.boolean() })
  ),
  'wallet.send': method(
    z
      .object({ from: walletNameSchema, to: z.string().min(1, { message: 'must not be empty' }).max(512), amount: baseUnitsSchema })
      .strict(),
    z.object({ id: txIdSchema })
  ),
  'wallet.history': method(
    z.object({ name: walletNameSchema, limit: z.number().int().min(1).max(500).optional() }).strict(),
    z.array(
      z.object({
        id: txIdSchema,
        direction: z.enum(['in', 'out']),
        amount: baseUnitsSchema,
        status: txStatusSchema,
        receivedAt: z.number()
      })
    )
  ),

  'tangle.stats': method(noInput, tangleStatsSchema),
  'tangle.recent': method(z.object({ limit: z.number().int().min(1).max(2000) }).strict(), z.array(tangleTxSchema)),
  'tangle.transaction': method(z.object({ id: txIdSchema }).strict(), tangleTxDetailSchema),
  /** the load generator, for rehearsals: data transactions at a rate, in the background */
  'tangle.spam': method(
    z.object({ count: z.number().int().min(1).max(1_000_000), rate: z.number().min(1).max(10_000) }).strict(),
    z.object({ started: z.literal(true) })
  ),
  'tangle.search': method(
    z.object({ query: z.string().trim().min(1, { message: 'must not be empty' }).max(512) }).strict(),
    z.array(tangleTxSchema)
  ),

  'market.scenarios': method(
    noInput,
    z.array(
      z.object({
        name: z.string(),
        description: z.string(),
        evs: count,
        grids: count,
        slots: count,
        currency: z.string(),
        game: z.object({ sigma1: num, sigma2: num, C: num })
      })
    )
  ),
  /** starts a run: the whole day now, one slot every slotSeconds, or one slot per real hour */
  'market.start': method(
    z
      .object({
        scenario: z.string().min(1, { message: 'must not be empty' }),
        clock: marketClockSchema,
        slotSeconds: z.number().min(0.5, { message: 'must be at least 0.5 s' }).max(3600, { message: 'must be at most 3600 s' }).optional(),
        settle: z.boolean(),
        game: gameEditSchema.optional()
      })
      .strict(),
    marketRunSchema
  ),
  'market.control': method(
    z
      .object({ runId: runIdSchema, action: z.enum(['pause', 'resume', 'step', 'stop'], { error: 'must be pause, resume, step or stop' }) })
      .strict(),
    marketRunSchema
  ),
  'market.setGame': method(z.object({ runId: runIdSchema, game: gameEditSchema }).strict(), marketRunSchema),
  /**
   * settles every converged slot of the run not yet on the ledger, each pair paid exactly once:
   * slots settled now, slots settled before, and the slots that failed with why
   */
  'market.settle': method(
    z.object({ runId: runIdSchema }).strict(),
    z.object({ settled: count, alreadySettled: count, failed: z.array(z.object({ t: count, error: z.string() })) })
  ),
  'market.runs': method(noInput, z.array(marketRunSchema)),
  'market.day': method(
    z.object({ runId: runIdSchema }).strict(),
    z.object({
      run: marketRunSchema,
      day: dayResultSchema,
      settlement: z.array(z.object({ t: count, settled: z.boolean(), error: z.string().nullable() }))
    })
  ),
  'market.slot': method(z.object({ runId: runIdSchema, t: z.number().int().min(1) }).strict(), slotOutcomeSchema),
  /** the registered EVs and grids (as milestones confirmed them), with the last input of each */
  'market.participants': method(
    noInput,
    z.array(
      z.object({
        id: z.string(),
        role: z.enum(['ev', 'grid']),
        address: z.string(),
        order: z.number(),
        lastInput: z.object({ run: z.string(), t: z.number().int(), atMs: z.number() }).nullable()
      })
    )
  ),
  /** binds a wallet address to a participant id and role, signed by the operator's wallet (the keystore unlocked) */
  'market.register': method(
    z
      .object({
        id: nameSchema(),
        role: z.enum(['ev', 'grid'], { error: 'must be ev or grid' }),
        address: z.string().trim().min(1, { message: 'must not be empty' }).max(512)
      })
      .strict(),
    z.object({ tx: z.string() })
  ),
  'market.revoke': method(z.object({ id: z.string().min(1) }).strict(), z.object({ tx: z.string() })),
  /** a network run's slot (1-based): its inputs with their source, the ones left out, and this node's verification */
  'market.slotInputs': method(
    z.object({ runId: runIdSchema, t: z.number().int().min(1) }).strict(),
    z.object({
      /** the milestone the result was solved at; null before the slot's result */
      milestone: z.number().nullable(),
      inputs: z.array(
        z.object({
          participant: z.string(),
          kind: z.enum(['offer', 'bid']),
          wallet: z.string(),
          tx: z.string(),
          /** supply offered, or the demand cap bid for */
          energyWh: z.number(),
          reservePrice: z.number().nullable(),
          xi: z.number().nullable(),
          kappa: z.number().nullable()
        })
      ),
      excluded: z.array(z.object({ tx: z.string(), participant: z.string().nullable(), reason: z.string() })),
      verification: z.object({ matches: z.boolean(), differences: z.array(z.string()) }).nullable()
    })
  ),
  /** what this node found for each of a run's results (slots 1-based); empty for a run of a local clock */
  'market.verifications': method(
    z.object({ runId: runIdSchema }).strict(),
    z.array(z.object({ t: z.number().int(), matches: z.boolean(), differences: z.array(z.string()) }))
  ),
  /** a network run's solved slots (t from 1): what each EV sold and what its meter says it delivered */
  'market.deliveries': method(
    z.object({ runId: runIdSchema }).strict(),
    z.array(
      z.object({
        t: z.number().int(),
        evs: z.array(
          z.object({
            id: z.string(),
            soldKWh: z.number(),
            deliveredKWh: z.number().nullable(),
            deviationKWh: z.number().nullable(),
            tx: z.string().nullable()
          })
        )
      })
    )
  ),
  'market.tradesCsv': method(z.object({ runId: runIdSchema }).strict(), z.object({ fileName: z.string(), csv: z.string() })),

  'meter.availablePorts': method(noInput, z.array(z.object({ path: z.string(), manufacturer: z.string().nullable() }))),
  'meter.ports': method(noInput, z.array(meterPortSchema)),
  /** DSMR 5 meters: 115200 8N1; DSMR 2.2–4: 9600 7E1 */
  'meter.addPort': method(
    z
      .object({ path: pathSchema, protocol: z.enum(['dsmr5', 'dsmr4'], { error: 'must be dsmr5 or dsmr4' }), prosumer: prosumerSchema })
      .strict(),
    meterPortSchema
  ),
  'meter.removePort': method(z.object({ path: pathSchema }).strict(), z.object({ removed: z.literal(true) })),
  'meter.list': method(noInput, z.array(meterSchema)),
  'meter.assign': method(z.object({ meterId: z.string().min(1), prosumer: prosumerSchema }).strict(), z.array(meterSchema)),
  'meter.readings': method(
    z
      .object({
        meterId: z.string().min(1),
        fromMs: z.number().optional(),
        toMs: z.number().optional(),
        limit: z.number().int().min(1).max(10_000).optional()
      })
      .strict(),
    z.array(z.object({ tsMs: num, importWh: num, exportWh: num, powerW: num.nullable(), flags: count }))
  ),
  /** removable volumes (USB sticks) and the meter logs on them */
  'meter.volumes': method(noInput, z.array(z.object({ name: z.string(), path: z.string(), files: z.array(z.string()) }))),
  'meter.import': method(
    z
      .object({
        paths: z.array(pathSchema).min(1, { message: 'choose at least one file or folder' }).max(MAX_IMPORT_PATHS),
        timeZone: z.string().min(1).max(64).optional()
      })
      .strict(),
    /** skipped: what could not be read (a folder, a link out of the chosen folder, a FIFO…) and why */
    z.object({ files: z.array(fileImportSchema), skipped: z.array(z.object({ path: z.string(), reason: z.string() })) })
  ),

  /** the network node of this process (dv2g serve --listen/--peer); no peers when it runs none */
  'network.status': method(noInput, networkStatusSchema),
  'network.peers': method(noInput, z.array(networkPeerSchema)),
  /** peers banned for invalid transactions, oversized frames or floods; none when it runs no node */
  'network.banned': method(noInput, z.array(bannedPeerSchema)),
  /** null when this process runs no node */
  'network.activity': method(noInput, networkActivitySchema.nullable()),
  'network.settings': method(noInput, networkSwitchSchema),
  'network.configure': method(networkSettingsSchema, networkSwitchSchema),

  'ocpp.chargers': method(noInput, z.array(ocppChargerSchema)),
  /** registers a charger; the password (OCPP's 16–40 characters; one is made when none is given) is stored hashed and shown only in the answer */
  'ocpp.add': method(
    z
      .object({
        id: newChargerIdSchema,
        password: z
          .string()
          .regex(/^[\x21-\x7e]{16,40}$/, { message: 'must be 16–40 printable characters without spaces' })
          .optional(),
        dischargeByNegativeLimit: z.boolean(),
        prosumer: prosumerSchema
      })
      .strict(),
    z.object({ charger: ocppChargerSchema, password: z.string() })
  ),
  'ocpp.update': method(
    z.object({ id: chargerIdSchema, dischargeByNegativeLimit: z.boolean().optional(), prosumer: prosumerSchema.optional() }).strict(),
    ocppChargerSchema
  ),
  'ocpp.remove': method(z.object({ id: chargerIdSchema }).strict(), z.object({ removed: z.literal(true) })),
  'ocpp.settings': method(noInput, ocppSettingsSchema),
  'ocpp.configure': method(
    z
      .object({
        listen: hostPortSchema.nullable().optional(),
        unknownChargers: z.enum(['Pending', 'Rejected'], { error: 'must be Pending or Rejected' }).optional()
      })
      .strict(),
    ocppSettingsSchema
  )
} as const

export type MethodName = keyof typeof methods
export type MethodInput<M extends MethodName> = z.input<(typeof methods)[M]['input']>
export type MethodOutput<M extends MethodName> = z.output<(typeof methods)[M]['output']>
export const methodNames = Object.keys(methods) as MethodName[]

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methods, name)
}

/** Events pushed from the main process to every connected console. */
export const events = {
  'esu.profilesChanged': z.object({ names: z.array(z.string()) }),
  /** new transactions, batched at most every 100 ms */
  'tangle.attached': z.object({ transactions: z.array(tangleTxSchema) }),
  'tangle.statusChanged': z.object({ changes: z.array(z.object({ id: txIdSchema, status: txStatusSchema })) }),
  'wallet.changed': z.object({ unlocked: z.boolean() }),
  'market.runChanged': marketRunSchema,
  /** a slot solved: its outcome without the iterations, which follow in market.iterations */
  'market.slotSolved': z.object({
    runId: z.string(),
    outcome: slotOutcomeSchema,
    settled: z.boolean(),
    settleError: z.string().nullable()
  }),
  /** the literal iterations of the slot, a few at a time, at a pace the eye can follow */
  'market.iterations': z.object({
    runId: z.string(),
    t: count,
    sellers: z.array(z.string()),
    from: count,
    steps: z.array(traceStepSchema),
    total: count
  }),
  'meter.reading': z.object({ meterId: z.string(), port: z.string(), tsMs: num, importWh: num, exportWh: num, powerW: num.nullable() }),
  'meter.portsChanged': z.object({ ports: z.array(meterPortSchema) }),
  'meter.metersChanged': z.object({ meters: z.array(meterSchema) }),
  'meter.importProgress': z.object({
    path: z.string(),
    file: count,
    files: count,
    bytesRead: num,
    bytesTotal: num,
    phase: z.enum(['reading', 'writing', 'done'])
  }),
  /** a charger connected, reported or was sent a profile: every charger as it stands, at most every 250 ms */
  'ocpp.chargersChanged': z.object({ chargers: z.array(ocppChargerSchema) })
} as const

export type EventName = keyof typeof events
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>
export const eventNames = Object.keys(events) as EventName[]

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name)
}

/** What a failed call returns on every transport. */
export const apiErrorSchema = z.object({
  code: z.enum(['invalid_argument', 'unknown_method', 'not_found', 'internal']),
  message: z.string(),
  /** the offending fields, as dotted paths */
  fields: z.array(z.object({ path: z.string(), message: z.string() })).optional()
})
export type ApiErrorBody = z.infer<typeof apiErrorSchema>

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorBody['code'],
    message: string,
    readonly fields?: ApiErrorBody['fields']
  ) {
    super(message)
    this.name = 'ApiError'
  }

  toBody(): ApiErrorBody {
    return { code: this.code, message: this.message, ...(this.fields ? { fields: this.fields } : {}) }
  }
}

/** Turns zod issues into one message that names every offending field. */
export function invalidArgument(where: string, error: z.ZodError): ApiError {
  const fields = error.issues.map((issue) => ({
    path: issue.path.length ? issue.path.map(String).join('.') : '(input)',
    message: issue.message
  }))
  const summary = fields.map((f) => `${f.path} ${f.message}`).join('; ')
  return new ApiError('invalid_argument', `${where}: ${summary}`, fields)
}

/** Parses a method's input, throwing an ApiError that names the field on failure. */
export function parseInput<M extends MethodName>(name: M, input: unknown): z.output<(typeof methods)[M]['input']> {
  const result = methods[name].input.safeParse(input)
  if (!result.success) throw invalidArgument(name, result.error)
  return result.data as z.output<(typeof methods)[M]['input']>
}
