// Who may talk to serve mode. The contract (/api, /ws) needs this run's token as a bearer credential
// that the page sends itself, never a cookie: cookies ignore ports, so every page on any
// 127.0.0.1 port would carry one. Every request must also address us by a name we serve, and a
// browser request must come from the console's own origin.
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { isIPv4 } from 'node:net'

export function newToken(): string {
  return randomBytes(24).toString('base64url')
}

export function sameSecret(presented: string | undefined, token: string): boolean {
  if (presented === undefined) return false
  const left = Buffer.from(presented)
  const right = Buffer.from(token)
  return left.length === right.length && timingSafeEqual(left, right)
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerFromHeader(header: string | undefined): string | undefined {
  return header?.match(/^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i)?.[1]
}

/** 127.0.0.0/8, ::1 and localhost: addresses no other machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.toLowerCase().replace(/^\[(.*)\]$/, '$1')
  if (bare === 'localhost' || bare === '::1') return true
  const v4 = bare.startsWith('::ffff:') ? bare.slice('::ffff:'.length) : bare
  return isIPv4(v4) && v4.startsWith('127.')
}

export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]'
}

/** Host names as they appear in a URL: lower case, IPv6 in brackets. */
export function urlHostName(host: string): string {
  const lower = host.toLowerCase()
  return lower.includes(':') && !lower.startsWith('[') ? `[${lower}]` : lower
}

/**
 * The names a request may address the server by: the loopback names, the address it is bound to,
 * and the names its TLS certificate is for. Anything else (a DNS name an attacker rebinds to this
 * machine) is refused before the token is even looked at.
 */
export function servedHostNames(boundHost: string, certificateNames: readonly string[] = []): Set<string> {
  const names = new Set(['127.0.0.1', 'localhost', '[::1]'])
  if (!isWildcardHost(boundHost)) names.add(urlHostName(boundHost))
  for (const name of certificateNames) names.add(urlHostName(name))
  return names
}

/** The Host header names one of ours, with the port the request arrived on. */
export function isAllowedHost(
  hostHeader: string | undefined,
  scheme: 'http' | 'https',
  localPort: number | undefined,
  names: ReadonlySet<string>
): boolean {
  if (!hostHeader || localPort === undefined) return false
  let parsed: URL
  try {
    parsed = new URL(`${scheme}://${hostHeader}`)
  } catch {
    return false
  }
  // only a bare host[:port]; no user info, path or a spelling URL parsing would normalise
  if (parsed.host !== hostHeader.toLowerCase() || parsed.pathname !== '/') return false
  const port = parsed.port === '' ? (scheme === 'https' ? 443 : 80) : Number(parsed.port)
  return port === localPort && matchesName(parsed.hostname, names)
}

function matchesName(hostname: string, names: ReadonlySet<string>): boolean {
  if (names.has(hostname)) return true
  // a certificate's *.example.org covers exactly one label
  const dot = hostname.indexOf('.')
  return dot > 0 && names.has(`*${hostname.slice(dot)}`)
}

/**
 * A browser names the page that made a request in `Origin`; it must be the console itself, at the
 * scheme and (already checked) host the request came to. A request without Origin is not from a
 * web page (curl, the CLI, scripts), and the bearer token alone decides for it.
 */
export function isAllowedOrigin(originHeader: string | undefined, scheme: 'http' | 'https', hostHeader: string): boolean {
  if (originHeader === undefined) return true
  let served: string
  try {
    served = new URL(`${scheme}://${hostHeader}`).origin
  } catch {
    return false
  }
  return originHeader.toLowerCase() === served
}
