// The network options `dv2g node` and `dv2g serve` share: --listen and --peer (each repeatable)
// and --mdns, checked before anything starts.
import { AddressError, parseAddress, peerIdOf } from '../core/network/address'
import { DEFAULT_LISTEN } from '../core/network/settings'
import type { PinnedNetworkOptions } from '../core/node/composeNode'
import { UsageError } from './args'

export { DEFAULT_LISTEN }

export interface NetworkArgs {
  /** as given; empty when no --listen was */
  listen: string[]
  peers: string[]
  mdns: boolean
  /** the arguments left for the command's own parser */
  rest: string[]
}

/** Takes every --name VALUE (or --name=VALUE) out of argv: the option parser allows each option once. */
function takeRepeated(argv: readonly string[], name: string): { values: string[]; rest: string[] } {
  const values: string[] = []
  const rest: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === `--${name}`) {
      const value = argv[i + 1]
      if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`)
      values.push(value)
      i++
    } else if (arg.startsWith(`--${name}=`)) values.push(arg.slice(name.length + 3))
    else rest.push(arg)
  }
  return { values, rest }
}

/** Takes the network options out of argv and checks every address, naming the one that is wrong. */
export function takeNetworkArgs(argv: readonly string[]): NetworkArgs {
  const listenArgs = takeRepeated(argv, 'listen')
  const peerArgs = takeRepeated(listenArgs.rest, 'peer')
  const rest = peerArgs.rest.filter((arg) => arg !== '--mdns')
  try {
    for (const address of listenArgs.values) parseAddress(address, '--listen')
    for (const address of peerArgs.values) {
      if (!peerIdOf(parseAddress(address, '--peer')))
        throw new UsageError(`--peer ${address} needs the peer's id at the end (/p2p/12D3Koo...), as dv2g node prints it`)
    }
  } catch (error) {
    if (error instanceof AddressError) throw new UsageError(error.message)
    throw error
  }
  return { listen: listenArgs.values, peers: peerArgs.values, mdns: rest.length !== peerArgs.rest.length, rest }
}

/** Whether the operator asked for a network node at all (dv2g serve runs one only then). */
export function wantsNetwork(args: NetworkArgs): boolean {
  return args.listen.length > 0 || args.peers.length > 0 || args.mdns
}

/** The listen addresses to use: the given ones, else the default. */
export function listenAddresses(args: NetworkArgs): string[] {
  return args.listen.length ? args.listen : [DEFAULT_LISTEN]
}

/** The node the command line asks for, as the composition takes it. */
export function pinnedNetworkOf(args: NetworkArgs, milestones?: PinnedNetworkOptions['milestones']): PinnedNetworkOptions {
  return { listen: listenAddresses(args), peers: args.peers, mdns: args.mdns, ...(milestones ? { milestones } : {}) }
}
