// Multiaddrs as the operator types them: --listen and --peer.
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'

export class AddressError extends Error {}

export function parseAddress(text: string, option: string): Multiaddr {
  try {
    return multiaddr(text)
  } catch (error) {
    throw new AddressError(
      `${option} ${JSON.stringify(text)} is not a multiaddr (like /ip4/127.0.0.1/tcp/4001): ${error instanceof Error ? error.message : String(error)}`
    )
  }
}

/** The /p2p/ part of an address, if any. */
export function peerIdOf(address: Multiaddr): string | undefined {
  return address.getComponents().find((component) => component.name === 'p2p')?.value
}
