// Turns this data dir's network node on and off while the desktop app or dv2g serve runs
// (Settings, Network): the node starts with the saved settings, is stopped and started again when
// they change, and the switch answers for it, so network.status and the Network view find it. Changes
// are applied one at a time, in the order they came.
import type { Db } from '../db/connection'
import type { Ledger } from '../ledger/ledger'
import type { NetworkSettings, NetworkSwitchState } from '../../../src-shared/contract'
import { registeredIssuers } from './peers/registeredIssuers'
import { describe, NetworkNode } from './networkNode'
import { DEFAULT_NETWORK_SETTINGS, NetworkSettingsError, readNetworkSettings, writeNetworkSettings } from './settings'
import type { NetworkView } from './view'

/** What Settings reads and changes: the switch, or the node the command line pinned. */
export interface NetworkControl {
  state(): NetworkSwitchState
  configure(settings: NetworkSettings): Promise<NetworkSwitchState>
  /** the node running now, if any */
  node(): NetworkView | undefined
}

/** What the switch starts a node on: the data dir's files and database, its ledger, who may issue. */
export interface SwitchedApp {
  readonly dataDir: string
  readonly db: Db
  ledger(): { readonly ledger: Ledger }
  marketTangle(): { participants(): readonly { address: string }[] }
}

/** dv2g serve --listen/--peer/--mdns: the command line decided the node; Settings shows it and cannot change it. */
export function pinnedNetwork(node: NetworkView, settings: NetworkSettings): NetworkControl {
  return new PinnedNetwork(node, settings)
}

class PinnedNetwork implements NetworkControl {
  constructor(
    private readonly running: NetworkView,
    private readonly settings: NetworkSettings
  ) {}

  state(): NetworkSwitchState {
    return { settings: this.settings, editable: false, running: true, error: null }
  }

  node(): NetworkView {
    return this.running
  }

  configure(): Promise<NetworkSwitchState> {
    return Promise.reject(
      new NetworkSettingsError(
        'this dv2g serve runs the node its command line asked for (--listen, --peer, --mdns); start it without them to set networking here',
        'file'
      )
    )
  }
}

export class NetworkSwitch implements NetworkControl {
  private running: NetworkNode | undefined
  private settings: NetworkSettings
  private error: string | null = null
  private applying: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly app: SwitchedApp,
    private readonly log: (line: string) => void
  ) {
    try {
      this.settings = readNetworkSettings(app.dataDir)
    } catch (error) {
      if (!(error instanceof NetworkSettingsError)) throw error
      this.settings = DEFAULT_NETWORK_SETTINGS
      this.error = error.message
    }
  }

  /** Starts the node if the saved settings turn networking on. */
  start(): Promise<NetworkSwitchState> {
    return this.serially(() => (this.error ? Promise.resolve() : this.restart()))
  }

  /** Saves new settings (refused, with the setting named, if an address is wrong) and applies them. */
  configure(settings: NetworkSettings): Promise<NetworkSwitchState> {
    return this.serially(async () => {
      writeNetworkSettings(this.app.dataDir, settings)
      this.settings = settings
      await this.restart()
    })
  }

  state(): NetworkSwitchState {
    return { settings: this.settings, editable: true, running: this.running !== undefined, error: this.error }
  }

  node(): NetworkView | undefined {
    return this.running
  }

  async stop(): Promise<void> {
    await this.serially(() => this.stopNode())
  }

  private async restart(): Promise<void> {
    await this.stopNode()
    this.error = null
    if (!this.settings.enabled) return
    const { listen, peers, mdns } = this.settings
    try {
      const registeredIssuer = registeredIssuers(() => this.app.marketTangle().participants())
      this.running = await NetworkNode.start({
        dataDir: this.app.dataDir,
        ledger: this.app.ledger().ledger,
        db: this.app.db,
        listen,
        peers,
        mdns,
        log: this.log,
        registeredIssuer
      })
    } catch (error) {
      const inUse = (error as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE'
      this.error = inUse
        ? `a listen address is in use (${listen.join(', ')}); tcp/0 picks a free port`
        : `the node did not start: ${describe(error)}`
      this.log(`dv2g: networking is on but ${this.error}`)
      return
    }
    this.log(`dv2g: network node ${this.running.peerId} listening on ${this.running.listenAddresses.join(', ')}`)
  }

  private async stopNode(): Promise<void> {
    const node = this.running
    if (!node) return
    this.running = undefined
    await node.stop()
  }

  private serially(work: () => Promise<void>): Promise<NetworkSwitchState> {
    const next = this.applying.then(work)
    // a refused change must not stop the ones after it
    this.applying = next.catch(() => undefined)
    return next.then(() => this.state())
  }
}
