// The OCPP options `dv2g node` and `dv2g serve` share: --ocpp-listen HOST:PORT runs the central
// system there (profile 1, Basic auth, on loopback; profile 2, TLS, elsewhere, with
// --ocpp-tls-cert and --ocpp-tls-key), checked before anything starts.
import { OcppSettingsError, parseHostPort, type OcppFileSettings } from '../core/ocpp/settings'
import { stringOption, UsageError, type ParsedArgs } from './args'

export const OCPP_OPTIONS = { 'ocpp-listen': { value: true }, 'ocpp-tls-cert': { value: true }, 'ocpp-tls-key': { value: true } } as const

export const ocppListenUsage = `  --ocpp-listen HOST:PORT  also runs the OCPP central system chargers connect to, at
            ws://HOST:PORT/ocpp/{chargerId} (dv2g ocpp add registers them); Basic auth without TLS
            only on loopback, so any other HOST needs --ocpp-tls-cert FILE --ocpp-tls-key FILE (PEM).`

/** The central system the command line asks for, or null. */
export function ocppSettingsOf(args: ParsedArgs): OcppFileSettings | null {
  const listen = stringOption(args, 'ocpp-listen')
  const certFile = stringOption(args, 'ocpp-tls-cert')
  const keyFile = stringOption(args, 'ocpp-tls-key')
  if ((certFile === undefined) !== (keyFile === undefined))
    throw new UsageError('--ocpp-tls-cert and --ocpp-tls-key go together: give both files or neither')
  if (listen === undefined) {
    if (certFile !== undefined) throw new UsageError('--ocpp-tls-cert and --ocpp-tls-key go with --ocpp-listen HOST:PORT')
    return null
  }
  try {
    parseHostPort(listen, '--ocpp-listen')
  } catch (error) {
    if (error instanceof OcppSettingsError) throw new UsageError(error.message)
    throw error
  }
  return { listen, tls: certFile && keyFile ? { certFile, keyFile } : null }
}
