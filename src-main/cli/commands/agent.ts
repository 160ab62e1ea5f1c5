import { join } from 'node:path'
import { evParticipantSchema, gridParticipantSchema, scenarioSchema, type Scenario } from '../../../src-shared/market/scenario'
import type { App } from '../../core/app'
import { readJsonFile } from '../../core/inputFile'
import { paperScenario } from '../../core/market/paperScenario'
import { MarketAgents, participantMeter, type AgentMember, type AgentProfile, type Posted } from '../../core/market/tangle/agent'
import { MeterService } from '../../core/meters/service'
import { loadOrCreateSwarmSecret, swarmKey } from '../../core/market/tangle/swarmKeys'
import { writeFileAtomic } from '../../core/files/atomicFile'
import { KeystoreError } from '../../core/wallet/keystore'
import { numberOption, parseArgs, requireOption, stringOption, UsageError } from '../args'
import { keepHeapCompact } from '../compactHeap'
import { pinnedNetworkOf, takeNetworkArgs, type NetworkArgs } from '../networkArgs'
import { composeNode, type RunningNode } from '../../core/node/composeNode'
import { untilStopped } from '../untilStopped'
import type { Output } from '../output'
import { readPassphrase } from '../passphrase'

export const agentUsage = `dv2g agent --role ev|grid --wallet NAME --profile FILE [--meter PORT [--meter-protocol dsmr5|dsmr4]] [--listen MULTIADDR]... [--peer MULTIADDR]...
  Runs this data dir as a node whose agent takes part in the operator's runs on the network
  clock: in each slot it posts its input, signed by the wallet NAME (passphrase from
  DV2G_PASSPHRASE or a prompt), which the operator must have registered (dv2g market register).
  An EV offers the supply of its battery model at its reserve price; a grid bids ξ, κ and its
  demand cap. Its battery or storage follows the published outcomes, also across restarts.
  --profile  one participant in the scenario format: an entry of a scenario's "evs" or "grids"
             (id, battery, reservePrice, productionKWh, consumptionKWh; or id, xi, kappa, ...).
  --meter    the participant's own meter on a serial port (DSMR P1, dsmr5 unless told): its
             production and consumption over the slot before replace the profile's where it
             measured any, and an EV signs what its meter counted in each slot's delivery window
             (the slot's length after it closed), which every node compares with what it sold.
  --listen, --peer as for dv2g node. Prints the node's identity and the wallet's address.
dv2g agent swarm (--evs N --grids M | --scenario FILE) [--listen MULTIADDR]... [--peer MULTIADDR]...
  Runs many agents on one node, each with a wallet of its own derived from a secret kept in the
  data dir (swarm.secret), so their addresses stay the same across restarts: every EV and grid of
  the scenario FILE, or of the paper's setting at N EVs and M grids (paper-MxN, as dv2g bench
  market-network runs it). Writes the participants and their addresses to
  DATA_DIR/swarm-participants.json, for the operator's dv2g market register --file.`

/** how often the agents look for a slot to post in */
const TICK_MS = 200
/** inputs signed between two looks at the network: a swarm's thousand inputs do not stall gossip */
const POST_CHUNK = 50
export const SWARM_PARTICIPANTS_FILE = 'swarm-participants.json'
export const MAX_SWARM = 20_000

export async function runAgent(argv: readonly string[], out: Output, dataDir: string): Promise<number> {
  if (argv[0] === 'swarm') return runSwarm(argv.slice(1), out, dataDir)
  const networkArgs = takeNetworkArgs(argv)
  const args = parseArgs(networkArgs.rest, {
    role: { value: true },
    wallet: { value: true },
    profile: { value: true },
    meter: { value: true },
    'meter-protocol': { value: true }
  })
  if (args.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`)
  const meterPort = stringOption(args, 'meter')
  const meterProtocol = stringOption(args, 'meter-protocol') ?? 'dsmr5'
  if (meterProtocol !== 'dsmr5' && meterProtocol !== 'dsmr4')
    throw new UsageError(`--meter-protocol must be dsmr5 or dsmr4, not ${JSON.stringify(meterProtocol)}`)
  if (args.options.has('meter-protocol') && meterPort === undefined) throw new UsageError('--meter-protocol goes with --meter PORT')
  const role = requireOption(stringOption(args, 'role'), 'role')
  if (role !== 'ev' && role !== 'grid') throw new UsageError(`--role must be ev or grid, not ${JSON.stringify(role)}`)
  const walletName = requireOption(stringOption(args, 'wallet'), 'wallet')
  const file = requireOption(stringOption(args, 'profile'), 'profile')
  const profile: AgentProfile =
    role === 'ev'
      ? { role, participant: readJsonFile(file, evParticipantSchema) }
      : { role, participant: readJsonFile(file, gridParticipantSchema) }

  return runAgentsNode(dataDir, networkArgs, out, 'dv2g agent', async ({ app, network }) => {
    const { keystore } = app.ledger().wallets
    const wallet = keystore.find(walletName)
    if (!wallet)
      throw new UsageError(
        `--wallet: no wallet named "${walletName}" in this data dir (dv2g wallet create --name ${walletName} --role ${role})`
      )
    let key
    try {
      keystore.unlock(await readPassphrase('Keystore passphrase: '))
      key = keystore.key(wallet.name).privateKey
    } catch (error) {
      if (error instanceof KeystoreError) throw new UsageError(`--wallet: ${error.message}`)
      throw error
    } finally {
      keystore.lock()
    }
    const status = network()!.status()
    out.result(
      {
        peerId: status.peerId,
        networkId: status.networkId,
        listen: status.listen,
        dataDir: app.dataDir,
        participant: profile.participant.id,
        role,
        address: wallet.address
      },
      () =>
        [
          `dv2g agent ${profile.participant.id} (${role}), wallet ${wallet.name}: ${wallet.address}`,
          ...status.listen.map((a) => `listening on ${a}`),
          'Ctrl+C stops the agent.'
        ].join('\n')
    )
    const meters = app.meters()
    // the port stays configured in the data dir: a restarted agent finds it open already
    if (meterPort !== undefined && !meters.ports().some((p) => p.path === meterPort))
      meters.addPort(meterPort, MeterService.settingsFor(meterProtocol), profile.participant.id)
    return {
      members: [{ profile, key, ...(meterPort === undefined ? {} : { meter: participantMeter(meters, profile.participant.id) }) }],
      report: (posted) => {
        for (const p of posted)
          out.note(
            `${new Date().toISOString()} dv2g agent: ${role === 'ev' ? 'offered' : 'bid for'} ${p.energyWh} Wh in slot ${p.t + 1} of run ${p.run} (${p.tx.slice(0, 12)}…)`
          )
      }
    }
  })
}

async function runSwarm(argv: readonly string[], out: Output, dataDir: string): Promise<number> {
  const networkArgs = takeNetworkArgs(argv)
  const args = parseArgs(networkArgs.rest, { evs: { value: true }, grids: { value: true }, scenario: { value: true } })
  if (args.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`)
  const scenario = swarmScenario(stringOption(args, 'scenario'), numberOption(args, 'evs'), numberOption(args, 'grids'))

  return runAgentsNode(dataDir, networkArgs, out, 'dv2g agent swarm', ({ app, network }) => {
    const secret = loadOrCreateSwarmSecret(app.dataDir)
    const members: (AgentMember & { address: string })[] = [
      ...scenario.evs.map((participant) => ({ profile: { role: 'ev' as const, participant }, ...swarmKey(secret, participant.id) })),
      ...scenario.grids.map((participant) => ({ profile: { role: 'grid' as const, participant }, ...swarmKey(secret, participant.id) }))
    ]
    const participantsFile = join(app.dataDir, SWARM_PARTICIPANTS_FILE)
    const participants = members.map((m) => ({ id: m.profile.participant.id, role: m.profile.role, address: m.address }))
    writeFileAtomic(participantsFile, `${JSON.stringify({ scenario: scenario.name, participants }, null, 1)}\n`)
    const status = network()!.status()
    out.result(
      {
        peerId: status.peerId,
        networkId: status.networkId,
        listen: status.listen,
        dataDir: app.dataDir,
        scenario: scenario.name,
        evs: scenario.evs.length,
        grids: scenario.grids.length,
        participantsFile
      },
      () =>
        [
          `dv2g agent swarm: ${scenario.evs.length} EVs and ${scenario.grids.length} grids of ${scenario.name}`,
          `their addresses are in ${participantsFile}: register them on the operator's node with dv2g market register --file`,
          ...status.listen.map((a) => `listening on ${a}`),
          'Ctrl+C stops the swarm.'
        ].join('\n')
    )
    return {
      members,
      report: (posted, ms) => {
        const perSlot = new Map<string, number>()
        for (const p of posted) perSlot.set(`${p.t + 1} of run ${p.run}`, (perSlot.get(`${p.t + 1} of run ${p.run}`) ?? 0) + 1)
        for (const [slot, inputs] of perSlot)
          out.note(`${new Date().toISOString()} dv2g agent swarm: ${inputs} inputs posted in slot ${slot} in ${Math.round(ms)} ms`)
      }
    }
  })
}

function swarmScenario(file: string | undefined, evs: number | undefined, grids: number | undefined): Scenario {
  if (file !== undefined) {
    if (evs !== undefined || grids !== undefined) throw new UsageError('give --scenario FILE or --evs N --grids M, not both')
    return readJsonFile(file, scenarioSchema)
  }
  const count = (value: number | undefined, name: string) => {
    const n = requireOption(value, name)
    if (!Number.isInteger(n) || n < 1 || n > MAX_SWARM)
      throw new UsageError(`--${name} must be a whole number from 1 to ${MAX_SWARM}, not ${n}`)
    return n
  }
  return scenarioSchema.parse(paperScenario({ evs: count(evs, 'evs'), grids: count(grids, 'grids') }))
}

interface AgentsSetUp {
  members: AgentMember[]
  /** says what a round of posting posted, and how long it took */
  report(posted: Posted[], ms: number): void
}

/**
 * Owns the data dir as a network node and runs its agents until Ctrl+C: each look at the network
 * posts what is due, a chunk at a time, and a failure to post is said and tried again next look.
 */
async function runAgentsNode(
  dataDir: string,
  networkArgs: NetworkArgs,
  out: Output,
  owner: string,
  setUp: (owned: RunningNode) => AgentsSetUp | Promise<AgentsSetUp>
): Promise<number> {
  keepHeapCompact()
  const owned = await composeNode(dataDir, { owner, network: pinnedNetworkOf(networkArgs), log: out.note })
  const { app } = owned
  let timer: NodeJS.Timeout | undefined
  try {
    const { members, report } = await setUp(owned)
    const agents = new MarketAgents(app.db, app.marketTangle(), members)
    let busy = false
    timer = setInterval(() => {
      if (busy) return
      busy = true
      postDue(app, agents)
        .then(({ posted, ms }) => posted.length && report(posted, ms))
        .catch((error: unknown) => out.note(`${owner}: could not post: ${error instanceof Error ? error.message : String(error)}`))
        .finally(() => (busy = false))
    }, TICK_MS)
    await untilStopped()
  } finally {
    clearInterval(timer)
    await owned.shutDown()
  }
  return 0
}

async function postDue(app: App, agents: MarketAgents): Promise<{ posted: Posted[]; ms: number }> {
  // nothing to post before the node holds a tangle (it joins its first peer's)
  if (app.ledger().ledger.isEmpty) return { posted: [], ms: 0 }
  const started = performance.now()
  const due = agents.due()
  const posted: Posted[] = []
  for (let from = 0; from < due.length; from += POST_CHUNK) {
    if (from > 0) await new Promise((resolve) => setImmediate(resolve))
    for (const input of due.slice(from, from + POST_CHUNK)) posted.push(agents.post(input))
  }
  agents.postDeliveries()
  return { posted, ms: performance.now() - started }
}
