import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runDv2g } from '../support/cli'
import { useTempDirs } from '../support/tempDir'

const tempDir = useTempDirs()

describe('dv2g meter parse and import', () => {
  it('parses a capture into the fields of the CLI contract, with the rejected telegrams and their offsets', () => {
    const result = runDv2g(['meter', 'parse', 'test/fixtures/dsmr/stream-garbage-2full-1partial.txt', '--protocol', 'dsmr', '--json'])
    expect(result.status, result.stderr).toBe(0)
    const out = JSON.parse(result.stdout)
    expect(out.telegrams).toHaveLength(2)
    expect(out.telegrams[0]).toMatchObject({
      meterId: 'K8EG004046395507',
      timestamp: '2017-01-02T18:20:02.000Z',
      crcValid: true,
      electricity: {
        deliveredKWh: { t1: 4.426, t2: 2.399 },
        returnedKWh: { t1: 2.444, t2: 0 },
        powerDeliveredKW: 0.244,
        powerReturnedKW: 0,
        tariff: 2
      },
      gas: { m3: 0.107, timestamp: '2017-01-02T15:10:05.000Z' }
    })
    expect(out.rejected).toEqual([{ offset: 1852, reason: 'incomplete telegram at the end of the input' }])
    expect(runDv2g(['meter', 'parse', 'x.txt', '--protocol', 'modbus']).stderr).toMatch(/--protocol must be dsmr/)
  }, 150_000) // a CLI process each; the machine may be busy

  it('imports a folder of logs: readings once, bad lines by number, nothing new the second time', () => {
    const dataDir = tempDir()
    const stick = join(tempDir(), 'USB')
    mkdirSync(join(stick, 'logs'), { recursive: true })
    writeFileSync(
      join(stick, 'logs', 'meters.csv'),
      'meter;timestamp;import;export\nM1;2026-03-29 01:45;1,0;0\nM1;2026-03-29 02:15;1,1;0\nM1;2026-03-29 03:00;1,2;0\n'
    )
    writeFileSync(join(stick, 'notes.md'), 'not a log')
    const first = runDv2g(['--data-dir', dataDir, 'import', stick, '--tz', 'Europe/Amsterdam', '--json'])
    expect(first.status, first.stderr).toBe(0)
    expect(JSON.parse(first.stdout)).toEqual({
      files: [
        {
          path: join(stick, 'logs', 'meters.csv'),
          kind: 'csv',
          imported: 2,
          duplicates: 0,
          resets: 0,
          gaps: 0,
          rejected: [{ line: 3, reason: '2026-03-29 02:15 does not exist in Europe/Amsterdam: the clocks went forward over it' }],
          rejectedCount: 1
        }
      ],
      skipped: []
    })
    expect(first.stderr).toMatch(/import 1\/1 .*meters\.csv: done/)
    const again = JSON.parse(runDv2g(['--data-dir', dataDir, 'import', stick, '--tz', 'Europe/Amsterdam', '--json']).stdout)
    expect(again.files[0]).toMatchObject({ imported: 0, duplicates: 2 })
    const missing = runDv2g(['--data-dir', dataDir, 'import', join(stick, 'nope')])
    expect(missing.status).toBe(2)
    expect(missing.stderr.trim()).toBe(`dv2g: ${join(stick, 'nope')} does not exist`)
    expect(runDv2g(['--data-dir', dataDir, 'import', stick, '--tz', 'Mars/Olympus']).stderr).toMatch(
      /--tz "Mars\/Olympus" is not a time zone/
    )
  }, 300_000) // four CLI processes
})
