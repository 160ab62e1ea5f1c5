// New inbound connections per remote IP, as libp2p's connection manager limits them, except for
// loopback: every node on this machine dials from 127.0.0.1, faster than one remote host should.
// Only the rate is waived there; the caps on total and pending connections apply to every peer,
// so one local process cannot open connections without bound.
import type { MultiaddrConnection } from '@libp2p/interface'
import { RateLimiter } from '../../limits/rateLimit'

/** libp2p's default: a host dialling faster than this is refused until it slows down */
export const INBOUND_CONNECTIONS_PER_SECOND_PER_IP = 5

const isLoopback = (host: string) => host === '::1' || host.startsWith('127.')

/** The remote IP of a connection, or undefined for one that has none (an in-memory transport). */
function hostOf(connection: MultiaddrConnection): string | undefined {
  const [first] = connection.remoteAddr.getComponents()
  return first && (first.name === 'ip4' || first.name === 'ip6') ? first.value : undefined
}

export class InboundRate {
  private readonly perHost = new RateLimiter({
    perSecond: INBOUND_CONNECTIONS_PER_SECOND_PER_IP,
    burst: INBOUND_CONNECTIONS_PER_SECOND_PER_IP,
    floodAfter: 0
  })

  /** Whether a new inbound connection from this address is over its host's rate. */
  refuses(connection: MultiaddrConnection): boolean {
    const host = hostOf(connection)
    if (host === undefined || isLoopback(host)) return false
    return this.perHost.take(host) !== 'allowed'
  }
}
