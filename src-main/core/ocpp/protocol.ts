// The OCPP-J versions the central system speaks, as WebSocket subprotocols.

/** In the server's order of preference: a charger that offers several gets the newest. */
export const OCPP_PROTOCOLS = ['ocpp2.1', 'ocpp2.0.1', 'ocpp1.6'] as const

export type OcppProtocol = (typeof OCPP_PROTOCOLS)[number]

export function isOcppProtocol(value: unknown): value is OcppProtocol {
  return (OCPP_PROTOCOLS as readonly unknown[]).includes(value)
}

/** 2.0.1 and 2.1 share their messages (2.1 adds fields); 1.6 is another protocol altogether. */
export function isOcpp2(protocol: OcppProtocol): protocol is 'ocpp2.0.1' | 'ocpp2.1' {
  return protocol !== 'ocpp1.6'
}

/** Where chargers connect: ws(s)://HOST:PORT/ocpp/{chargerId}. */
export const OCPP_PATH = '/ocpp'
