import { evParticipantSchema, gridParticipantSchema } from '../../../src-shared/market/scenario'
import { readJsonFile } from '../../core/inputFile'
import { MarketAgent, type AgentProfile } from '../../core/market/tangle/agent'
import { KeystoreError } from '../../core/wallet/keystore'
import { parseArgs, requireOption, stringOption, UsageError } from '../args'
import { keepHeapCompact } from '../compactHeap'
import { takeNetworkArgs } from '../networkArgs'
import { openOwnedDataDir, untilStopped } from '../ownedDataDir'
import type { Output } from '../output'
import { readPassphrase } from '../passphrase'

export const agentUsage = `dv2g agent --role ev|grid --wallet NAME --profile FILE [--listen MULTIADDR]... [--peer MULTIADDR]...
  Runs this data dir as a node whose agent takes part in the operator's runs on the network
  clock: in each slot it posts its input, signed by the wallet NAME (passphrase from
  DV2G_PASSPHRASE or a prompt), which the operator must have registered (dv2g market register).
  An EV offers the supply of its battery model at its reserve price; a grid bids ξ, κ and its
  demand cap. Its battery or storage follows the published outcomes, also across restarts.
  --profile  one participant in the scenario format: an entry of a scenario's "evs" or "grids"
             (id, battery, reservePrice, productionKWh, consumptionKWh; or id, xi, kappa, ...).
  --listen, --peer as for dv2g node. Prints the node's identity and the wallet's address.`

/** how often the agent looks for a slot to post in */
const TICK_MS = 200

export async function runAgent(argv: readonly string[], out: Output, dataDir: string): Promise<number> {
  const networkArgs = takeNetworkArgs(argv)
  const args = parseArgs(networkArgs.rest, { role: { value: true }, wallet: { value: true }, profile: { value: true } })
  if (args.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`)
  const role = requireOption(stringOption(args, 'role'), 'role')
  if (role !== 'ev' && role !== 'grid') throw new UsageError(`--role must be ev or grid, not ${JSON.stringify(role)}`)
  const walletName = requireOption(stringOption(args, 'wallet'), 'wallet')
  const file = requireOption(stringOption(args, 'profile'), 'profile')
  const profile: AgentProfile = role === 'ev' ? { role, participant: readJsonFile(file, evParticipantSchema) } : { role, participant: readJsonFile(file, gridParticipantSchema) }
  keepHeapCompact()

  const { app, network, shutDown } = await openOwnedDataDir(dataDir, { owner: 'dv2g agent', network: { args: networkArgs }, log: out.note })
  let timer: NodeJS.Timeout | undefined
  try {
    const { keystore } = app.ledger().wallets
    const wallet = keystore.find(walletName)
    if (!wallet) throw new UsageError(`--wallet: no wallet named "${walletName}" in this data dir (dv2g wallet create --name ${walletName} --role ${role})`)
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
    const agent = new MarketAgent(app.db, app.marketTangle(), profile, key)
    const status = network!.status()
    out.result({ peerId: status.peerId, networkId: status.networkId, listen: status.listen, dataDir: app.dataDir, participant: profile.participant.id, role, address: wallet.address }, () =>
      [`dv2g agent ${profile.participant.id} (${role}), wallet ${wallet.name}: ${wallet.address}`, ...status.listen.map((a) => `listening on ${a}`), 'Ctrl+C stops the agent.'].join('\n')
    )
    timer = setInterval(() => {
      try {
        // nothing to post before the node holds a tangle (it joins its first peer's)
        if (app.ledger().ledger.isEmpty) return
        for (const p of agent.tick()) out.note(`${new Date().toISOString()} dv2g agent: ${role === 'ev' ? 'offered' : 'bid for'} ${p.energyWh} Wh in slot ${p.t + 1} of run ${p.run} (${p.tx.slice(0, 12)}…)`)
      } catch (error) {
        out.note(`dv2g agent: could not post: ${error instanceof Error ? error.message : String(error)}`)
      }
    }, TICK_MS)
    await untilStopped()
  } finally {
    clearInterval(timer)
    await shutDown()
  }
  return 0
}
