// A data dir run as a node, composed once for every long-running face (the desktop app, dv2g serve,
// dv2g node, dv2g agent): the data dir owned (its lock and local channel), the app open with its
// live services, the network node as the face asks or as Settings say, the milestone clock, and the
// OCPP central system. The faces only pass options; shutDown stops it all in reverse.
import type { AppInfo } from '../../../src-shared/contract'
import { open, type App } from '../app'
import { MilestoneClock } from '../network/milestoneClock'
import { describe, NetworkNode } from '../network/networkNode'
import { registeredIssuers } from '../network/peers/registeredIssuers'
import { NetworkSwitch, pinnedNetwork } from '../network/switch'
import type { NetworkView } from '../network/view'
import type { OcppFileSettings } from '../ocpp/settings'
import { OcppControl } from '../ocpp/switch'
import type { RunningChannel } from '../owner/channel'
import { ownDataDir, serveOperations } from '../owner/owner'
import { milestoneIssuerKey } from './milestoneIssuer'
import { networkStartError } from './networkStart'

export { NodeStartError } from './errors'

/** The network node a command line asks for: it runs for this process, and Settings cannot change it. */
export interface PinnedNetworkOptions {
  /** where peers reach this node */
  listen: readonly string[]
  peers: readonly string[]
  mdns: boolean
  /** issues milestones with the genesis's issuer key, unlocked once at start by the passphrase given */
  milestones?: { intervalMs: number; passphrase: () => Promise<string> }
}

export interface NodeOptions {
  /** who the lock names as the holder: "dv2g serve", "desktop app" */
  owner: string
  transport?: AppInfo['transport']
  network?: PinnedNetworkOptions
  /** without `network`, the node Settings turns on (the desktop app, dv2g serve) */
  networkFromSettings?: boolean
  /** the interval of the console's own milestones while its keystore is unlocked (default 5 s) */
  localMilestoneMs?: number
  /** the central system the face asks for, 'settings' for the one Settings turns on, or none */
  ocpp?: OcppFileSettings | 'settings' | null
  /**
   * The desktop app: its window opens while the channel, the network and OCPP start behind it, and
   * a failure of theirs is logged rather than thrown.
   */
  inBackground?: boolean
  log: (line: string) => void
}

export interface RunningNode {
  readonly app: App
  /** the network node while one runs */
  network(): NetworkView | undefined
  /** the URL chargers connect to (before their id), or null when the central system is not listening */
  ocppEndpoint(): string | null
  /** Stops what was started, in reverse, and releases the data dir; once, however often it is called. */
  shutDown(): Promise<void>
}

/** Throws DataDirHeldError when another process owns the data dir; a start that fails midway releases what it started. */
export async function composeNode(dataDir: string, options: NodeOptions): Promise<RunningNode> {
  const { owner, transport = 'serve', network: pinned, networkFromSettings, localMilestoneMs, ocpp, inBackground, log } = options
  // the data dir is this process's until it stops: other commands' writes come through its channel
  const lock = ownDataDir(dataDir, owner)
  // one milestone clock per process: the network's, started with the key read below, or the console's own
  const localMilestones = pinned?.milestones ? 'off' : localMilestoneMs === undefined ? undefined : { intervalMs: localMilestoneMs }
  let app: App
  try {
    app = open(dataDir, { transport, ...(localMilestones ? { localMilestones } : {}) })
  } catch (error) {
    lock.release()
    throw error
  }
  const started = new Started(app, () => lock.release())
  try {
    // refused before anything starts: a node that cannot sign milestones says so at once
    const issuerKey = pinned?.milestones ? await milestoneIssuerKey(app.ledger(), pinned.milestones.passphrase) : undefined
    const channel = serveOperations(lock, app)
    started.channel = inBackground
      ? logged(channel, log, 'the local channel did not start; CLI writes to this data dir will be refused')
      : channel
    if (!inBackground) await started.channel
    app.startLive()
    if (pinned) {
      const listen = [...pinned.listen]
      const node = await NetworkNode.start({
        dataDir: app.dataDir,
        ledger: app.ledger().ledger,
        db: app.db,
        listen,
        peers: [...pinned.peers],
        mdns: pinned.mdns,
        log,
        registeredIssuer: registeredIssuers(() => app.marketTangle().participants())
      }).catch(async (error: unknown) => {
        throw await networkStartError(error, listen)
      })
      started.node = node
      app.running.network = pinnedNetwork(node, { enabled: true, listen, peers: [...pinned.peers], mdns: pinned.mdns })
      if (issuerKey && pinned.milestones)
        started.milestones = new MilestoneClock(app.ledger().ledger, issuerKey, pinned.milestones.intervalMs, log)
    } else if (networkFromSettings) {
      const networkSwitch = (started.networkSwitch = new NetworkSwitch(app, log))
      app.running.network = networkSwitch
      await started.starting(networkSwitch.start(), inBackground, log)
    }
    if (ocpp) {
      const control = (started.ocpp = OcppControl.create(app, ocpp === 'settings' ? null : ocpp, log))
      app.running.ocpp = control
      await started.starting(control.start(), inBackground, log)
    }
  } catch (error) {
    await started.shutDown()
    throw error
  }
  return {
    app,
    network: () => app.running.network?.node(),
    ocppEndpoint: () => app.running.ocpp?.state().endpoint ?? null,
    shutDown: () => started.shutDown()
  }
}

/** What a composition started so far, so that both a failed start and shutDown stop exactly that. */
class Started {
  channel: Promise<RunningChannel | undefined> | undefined
  node: NetworkNode | undefined
  milestones: MilestoneClock | undefined
  networkSwitch: NetworkSwitch | undefined
  ocpp: OcppControl | undefined
  /** starts left to run behind the desktop app's window */
  private readonly pending: Promise<unknown>[] = []
  private stopped: Promise<void> | undefined

  constructor(
    private readonly app: App,
    private readonly releaseLock: () => void
  ) {}

  /** Waits for a start, or (in the background) lets it run and logs its failure. */
  starting(start: Promise<unknown>, inBackground: boolean | undefined, log: (line: string) => void): Promise<unknown> {
    if (!inBackground) return start
    this.pending.push(logged(start, log, 'a service did not start'))
    return Promise.resolve()
  }

  shutDown(): Promise<void> {
    return (this.stopped ??= this.stopAll())
  }

  private async stopAll(): Promise<void> {
    const { app } = this
    try {
      await Promise.allSettled(this.pending)
      // the handlers find nothing running from here on
      app.running.ocpp = undefined
      app.running.network = undefined
      await this.ocpp?.stop()
      this.milestones?.stop()
      await this.node?.stop()
      await this.networkSwitch?.stop()
      const channel = await this.channel?.catch(() => undefined)
      await channel?.close()
    } finally {
      app.close()
      this.releaseLock()
    }
  }
}

/** The promise's value, or undefined once its failure is logged in one line. */
function logged<T>(work: Promise<T>, log: (line: string) => void, what: string): Promise<T | undefined> {
  return work.catch((error: unknown) => {
    log(`dv2g: ${what}: ${describe(error)}`)
    return undefined
  })
}
