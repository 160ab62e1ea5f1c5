// What the long-running commands (dv2g serve, dv2g node) share: owning the data dir (its lock
// and local channel), the live services, and the network node with its milestones: as the command
// line asks, or else (dv2g serve) as Settings saved it.
import { open, type App } from '../core/app'
import { MilestoneClock } from '../core/network/milestoneClock'
import { NetworkNode } from '../core/network/networkNode'
import { registeredIssuers } from '../core/network/peers/registeredIssuers'
import { NetworkSwitch, pinNetworkSettings } from '../core/network/switch'
import { attachNetwork, networkOf, type NetworkView } from '../core/network/view'
import type { RunningChannel } from '../core/owner/channel'
import type { OcppFileSettings } from '../core/ocpp/settings'
import { OcppControl } from '../core/ocpp/switch'
import { ownDataDir, serveOperations } from '../core/owner/owner'
import { milestoneIssuerKey } from './milestoneIssuer'
import { listenAddresses, networkStartError, type NetworkArgs } from './networkArgs'

export interface OwnedDataDir {
  app: App
  network: NetworkView | undefined
  /** Stops what was started, in reverse, and releases the data dir. */
  shutDown(): Promise<void>
}

export interface OwnOptions {
  /** "dv2g serve": what the lock names as the holder */
  owner: string
  network?: { args: NetworkArgs; milestoneMs?: number }
  /** without `network`, run the node Settings turns on (dv2g serve) */
  networkFromSettings?: boolean
  /** the interval of the console's own milestones while its keystore is unlocked (default 5 s) */
  localMilestoneMs?: number
  /**
   * The OCPP central system: the one the command line asks for (--ocpp-listen), 'settings' for the
   * one Settings turns on (dv2g serve), or none (undefined)
   */
  ocpp?: OcppFileSettings | 'settings' | null
  log: (line: string) => void
}

export async function openOwnedDataDir(
  dataDir: string,
  { owner, network: wanted, networkFromSettings, localMilestoneMs, ocpp, log }: OwnOptions
): Promise<OwnedDataDir> {
  // the data dir is this process's until it stops: other commands' writes come through its channel
  const lock = ownDataDir(dataDir, owner)
  // one milestone clock per process: the network's, started with the key read below, or the console's own
  const localMilestones =
    wanted?.milestoneMs !== undefined ? 'off' : localMilestoneMs === undefined ? undefined : { intervalMs: localMilestoneMs }
  const app = open(dataDir, { transport: 'serve', ...(localMilestones ? { localMilestones } : {}) })
  let channel: RunningChannel | undefined
  let network: NetworkNode | undefined
  let detachNetwork = () => {}
  let milestones: MilestoneClock | undefined
  let networkSwitch: NetworkSwitch | undefined
  let ocppControl: OcppControl | undefined
  const shutDown = async () => {
    await ocppControl?.stop()
    milestones?.stop()
    detachNetwork()
    await network?.stop()
    await networkSwitch?.stop()
    await channel?.close()
    app.close()
    lock.release()
  }
  try {
    // refused before anything starts: a node that cannot sign milestones says so at once
    const issuerKey = wanted?.milestoneMs === undefined ? undefined : await milestoneIssuerKey(app)
    channel = await serveOperations(lock, app)
    app.startLive()
    if (wanted) {
      const listen = listenAddresses(wanted.args)
      try {
        network = await NetworkNode.start({
          dataDir: app.dataDir,
          ledger: app.ledger().ledger,
          db: app.db,
          listen,
          peers: wanted.args.peers,
          mdns: wanted.args.mdns,
          log,
          registeredIssuer: registeredIssuers(() => app.marketTangle().participants())
        })
      } catch (error) {
        throw await networkStartError(error, listen)
      }
      detachNetwork = attachNetwork(app, network)
      pinNetworkSettings(app, { enabled: true, listen, peers: wanted.args.peers, mdns: wanted.args.mdns })
      if (issuerKey && wanted.milestoneMs !== undefined)
        milestones = new MilestoneClock(app.ledger().ledger, issuerKey, wanted.milestoneMs, log)
    } else if (networkFromSettings) {
      networkSwitch = new NetworkSwitch(app, log)
      await networkSwitch.start()
    }
    if (ocpp) {
      ocppControl = OcppControl.attach(app, ocpp === 'settings' ? null : ocpp, log)
      await ocppControl.start()
    }
  } catch (error) {
    await shutDown()
    throw error
  }
  return { app, network: networkOf(app), shutDown }
}

/** Resolves on Ctrl+C or a service manager's SIGTERM. */
export function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve())
    process.once('SIGTERM', () => resolve())
  })
}
