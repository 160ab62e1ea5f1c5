import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openDatabase } from '../../../../../src-main/core/db/connection'
import { crc16Arc } from '../../../../../src-main/core/meters/crc16'
import { parseTelegram } from '../../../../../src-main/core/meters/dsmr'
import { importFile } from '../../../../../src-main/core/meters/importer'
import { ReadingStore } from '../../../../../src-main/core/meters/readingStore'
import { newSimulatedMeter, nextTelegram } from '../../../../../src-main/core/meters/simulator'
import { useTempDirs } from '../../../../support/tempDir'

const tempDir = useTempDirs()
const HIDDEN = '\x1b[8mhidden\x1b[0m'

/** A valid DSMR 5 telegram whose equipment identifier is sent as raw text, not hex: its CRC recomputed. */
function telegramWithRawId(id: string): string {
  const text = nextTelegram(newSimulatedMeter(), new Date(Date.UTC(2024, 4, 1, 10)), 1).replace(
    /0-0:96\.1\.1\([0-9A-F]+\)/,
    `0-0:96.1.1(${id})`
  )
  const body = text.slice(0, text.indexOf('!') + 1)
  return `${body}${crc16Arc(body).toString(16).toUpperCase().padStart(4, '0')}\r\n`
}

function setup() {
  const dir = tempDir()
  const db = openDatabase(join(dir, 'db.sqlite'))
  const meterIds = () => db.prepare('SELECT id FROM meters ORDER BY id').pluck().all() as string[]
  return { dir, store: new ReadingStore(db), meterIds }
}

describe('meter ids', () => {
  it('refuses a CSV row whose meter id holds terminal escapes, naming the line, and stores the others', async () => {
    const { dir, store, meterIds } = setup()
    const file = join(dir, 'log.csv')
    writeFileSync(
      file,
      `meter,timestamp,import,export\nM1,2024-05-01T10:00Z,1.5,0\n${HIDDEN},2024-05-01T10:00Z,2,0\n__proto__,2024-05-01T10:00Z,2,0\nM1,2024-05-01T10:15Z,1.75,0\n`
    )
    const result = await importFile(store, file)
    expect(result).toMatchObject({ kind: 'csv', inserted: 2, rejectedCount: 2 })
    expect(result.rejected).toEqual([
      { line: 3, reason: 'meter id "\\x1b[8mhidden\\x1b[0m" holds a control character (U+001B)' },
      { line: 4, reason: 'meter id "__proto__" is reserved' }
    ])
    expect(meterIds()).toEqual(['M1'])
  })

  it('refuses a DSMR telegram whose identifier is raw text with a control character, on import and on the serial line alike', async () => {
    expect(parseTelegram(telegramWithRawId('E0099001234567890'))).toMatchObject({ ok: true, telegram: { meterId: 'E0099001234567890' } })
    expect(parseTelegram(telegramWithRawId(`E00${HIDDEN}`))).toEqual({
      ok: false,
      reason: 'meter id "E00\\x1b[8mhidden\\x1b[0m" holds a control character (U+001B)'
    })

    const { dir, store, meterIds } = setup()
    const file = join(dir, 'p1.log')
    writeFileSync(file, telegramWithRawId(`E00${HIDDEN}`))
    expect(await importFile(store, file)).toMatchObject({
      kind: 'dsmr',
      inserted: 0,
      rejectedCount: 1,
      rejected: [{ line: 1, reason: expect.stringMatching(/^meter id .* holds a control character/) }]
    })
    expect(meterIds()).toEqual([])
  })
})
