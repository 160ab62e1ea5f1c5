// The networking switch of the desktop app and dv2g serve (Settings, Network): whether this data
// dir runs as a node of the tangle network, where it listens, which peers it keeps, mDNS. Kept in
// network.json in the data dir, written whole (a temp file, then a rename) so a crash leaves
// either the old settings or the new ones. A file that does not parse is reported, not replaced.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { networkSettingsSchema, type NetworkSettings } from '../../../src-shared/contract'
import { AddressError, parseAddress, peerIdOf } from './address'
import { writeFileAtomic } from '../files/atomicFile'
import { Dv2gError } from '../../../src-shared/errors'

export const NETWORK_SETTINGS_FILE = 'network.json'
export const DEFAULT_LISTEN = '/ip4/127.0.0.1/tcp/4781'
export const DEFAULT_NETWORK_SETTINGS: NetworkSettings = { enabled: false, listen: [DEFAULT_LISTEN], peers: [], mdns: false }

export class NetworkSettingsError extends Dv2gError {
  declare readonly field: 'listen' | 'peers' | 'file'
  constructor(
    message: string,
    /** the setting that is wrong: listen, peers or the file */
    field: 'listen' | 'peers' | 'file'
  ) {
    super('invalid_argument', message, { field })
  }
}

/** What network.json holds, or the defaults when there is none. */
export function readNetworkSettings(dataDir: string): NetworkSettings {
  const file = join(dataDir, NETWORK_SETTINGS_FILE)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return DEFAULT_NETWORK_SETTINGS
    throw error
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new NetworkSettingsError(
      `${file} is not JSON (${(error as Error).message}); networking stays off until it is saved again from Settings`,
      'file'
    )
  }
  const settings = networkSettingsSchema.safeParse(parsed)
  if (!settings.success) {
    const issue = settings.error.issues[0]!
    throw new NetworkSettingsError(
      `${file}: ${issue.path.join('.') || 'settings'} ${issue.message}; networking stays off until it is saved again from Settings`,
      'file'
    )
  }
  checkAddresses(settings.data)
  return settings.data
}

/** Checks the addresses and saves the settings. */
export function writeNetworkSettings(dataDir: string, settings: NetworkSettings): void {
  checkAddresses(settings)
  const file = join(dataDir, NETWORK_SETTINGS_FILE)
  writeFileAtomic(file, `${JSON.stringify(settings, null, 2)}\n`)
}

/** Every address must be a multiaddr; a peer's must end with its /p2p/ id, as dv2g node prints it. */
function checkAddresses(settings: NetworkSettings): void {
  for (const address of settings.listen) {
    try {
      parseAddress(address, 'listen address')
    } catch (error) {
      if (error instanceof AddressError) throw new NetworkSettingsError(error.message, 'listen')
      throw error
    }
  }
  for (const address of settings.peers) {
    let parsed
    try {
      parsed = parseAddress(address, 'peer')
    } catch (error) {
      if (error instanceof AddressError) throw new NetworkSettingsError(error.message, 'peers')
      throw error
    }
    if (!peerIdOf(parsed))
      throw new NetworkSettingsError(`peer ${address} needs the peer's id at the end (/p2p/12D3Koo...), as dv2g node prints it`, 'peers')
  }
}
