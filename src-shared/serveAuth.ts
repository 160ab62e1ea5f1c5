// How a serve-mode page proves it holds this run's token. /api takes `Authorization: Bearer`;
// a browser cannot set headers on a WebSocket upgrade, so /ws takes the token as one of the
// offered subprotocols, beside the one protocol the server actually speaks (and echoes back,
// so the token never comes back in a response).
export const SOCKET_PROTOCOL = 'dv2g.v1'
export const BEARER_PROTOCOL_PREFIX = 'dv2g.bearer.'

/** What the page offers in `Sec-WebSocket-Protocol`, in this order. */
export function socketProtocols(token: string): string[] {
  return [SOCKET_PROTOCOL, `${BEARER_PROTOCOL_PREFIX}${token}`]
}

/** The token a `Sec-WebSocket-Protocol` header carries, if any. */
export function bearerFromProtocols(header: string | undefined): string | undefined {
  for (const offered of (header ?? '').split(',')) {
    const protocol = offered.trim()
    if (protocol.startsWith(BEARER_PROTOCOL_PREFIX)) return protocol.slice(BEARER_PROTOCOL_PREFIX.length)
  }
  return undefined
}
