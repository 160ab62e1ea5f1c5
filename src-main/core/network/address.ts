// Multiaddrs as the operator types them: --listen and --peer.
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { Dv2gError, type RefusalOptions } from '../../../src-shared/errors'

export class AddressError extends Dv2gError {
  constructor(message: string, options: RefusalOptions = {}) {
    super(options.code ?? 'invalid_argument', message, options)
  }
}

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
