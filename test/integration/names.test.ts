import { copyFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { paperScenario } from '../../src-main/core/market/paperScenario'
import { runDv2g } from '../support/cli'
import { useTempDirs } from '../support/tempDir'

const tempDir = useTempDirs()
const passphrase = { DV2G_PASSPHRASE: 'correct horse battery' }
const ESC = '\x1b'

describe('names and ids from users and files', () => {
  it('refuses a wallet named "__proto__" with one line and exit 2, and the keystore keeps working', () => {
    const dir = tempDir()
    expect(runDv2g(['--data-dir', dir, 'wallet', 'create', '--name', 'treasury', '--role', 'operator'], passphrase).status).toBe(0)
    const refused = runDv2g(['--data-dir', dir, 'wallet', 'create', '--name', '__proto__', '--role', 'ev'], passphrase)
    expect(refused.status).toBe(2)
    expect(refused.stderr).toBe('dv2g: wallet name "__proto__" is reserved\n')
    const bus = runDv2g(['--data-dir', dir, '--json', 'wallet', 'create', '--name', 'bus', '--role', 'ev'], passphrase)
    expect(bus.status, bus.stderr).toBe(0)
    const list = runDv2g(['--data-dir', dir, '--json', 'wallet', 'list'])
    expect((JSON.parse(list.stdout) as { name: string }[]).map((w) => w.name)).toEqual(['treasury', 'bus'])
  })

  it('opens a keystore an earlier release wrote with a wallet named "__proto__", and adds wallets beside it', () => {
    const dir = tempDir()
    copyFileSync('test/fixtures/keystore/proto-wallet.json', join(dir, 'keystore.json'))
    const tram = runDv2g(['--data-dir', dir, '--json', 'wallet', 'create', '--name', 'tram', '--role', 'ev'], passphrase)
    expect(tram.status, tram.stderr).toBe(0)
    const list = runDv2g(['--data-dir', dir, '--json', 'wallet', 'list'])
    expect((JSON.parse(list.stdout) as { name: string }[]).map((w) => w.name)).toEqual(['treasury', '__proto__', 'bus', 'tram'])
  })

  it('refuses a scenario with an EV named "__proto__" before anything is stored, naming the field', () => {
    const dir = tempDir()
    expect(runDv2g(['--data-dir', dir, 'wallet', 'create', '--name', 'treasury', '--role', 'operator'], passphrase).status).toBe(0)
    const scenario = paperScenario()
    scenario.evs[0]!.id = '__proto__'
    const file = join(dir, 'proto.json')
    writeFileSync(file, JSON.stringify(scenario))
    const refused = runDv2g(['--data-dir', dir, 'simulate', '--scenario', file, '--out', join(dir, 'out'), '--settle'], passphrase)
    expect(refused.status).toBe(2)
    expect(refused.stderr.trim().split('\n')).toHaveLength(1)
    expect(refused.stderr).toContain('evs[0].id: "__proto__" is reserved')
    // the keystore still unlocks: a second wallet is made
    expect(runDv2g(['--data-dir', dir, 'wallet', 'create', '--name', 'bus', '--role', 'ev'], passphrase).status).toBe(0)
  })

  it('never writes a raw ESC to the terminal when importing a CSV that holds escape sequences, and refuses the hidden meter id', () => {
    const dir = tempDir()
    const csv = join(dir, 'log.csv')
    writeFileSync(
      csv,
      [
        'meter,timestamp,import,export',
        'M1,2024-05-01T10:00Z,1.5,0',
        `${ESC}[8mhidden${ESC}[0m,2024-05-01T10:00Z,2,0`,
        `M1,2024-05-01T10:15Z,${ESC}[2J${ESC}]0;owned${ESC}\\,0`,
        `M1,2024-05-01T10:30Z,1.75,0`
      ].join('\n')
    )
    const imported = runDv2g(['--data-dir', dir, 'import', csv])
    expect(imported.status, imported.stderr).toBe(0)
    expect(imported.stdout + imported.stderr).not.toContain(ESC)
    expect(imported.stdout).toContain('2 imported')
    expect(imported.stdout).toContain('line 3: meter id "\\x1b[8mhidden\\x1b[0m" holds a control character (U+001B)')
    expect(imported.stdout).toContain('line 4: import kWh must be a number of at least 0 (got "\\x1b[2J\\x1b]0;owned\\x1b\\")')
  })
})
