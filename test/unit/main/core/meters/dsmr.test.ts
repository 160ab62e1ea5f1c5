import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { crc16Arc } from '../../../../../src-main/core/meters/crc16'
import { centralEuropeanSummer, dsmrTimestampToUtc, parseTelegram, type DsmrTelegram } from '../../../../../src-main/core/meters/dsmr'
import { TelegramFramer } from '../../../../../src-main/core/meters/framer'

// telegrams from test/fixtures/dsmr (dsmr_parser, MIT, and node-dsmr-parser, ISC: see its README)
const fixture = (name: string) => readFileSync(`test/fixtures/dsmr/${name}`, 'latin1')

function frames(text: string) {
  const framer = new TelegramFramer()
  const pushed = framer.push(text)
  return { ...pushed, left: framer.end() }
}

function parsed(name: string): DsmrTelegram {
  const { frames: found } = frames(fixture(name))
  expect(found).toHaveLength(1)
  const outcome = parseTelegram(found[0]!.text)
  if (!outcome.ok) throw new Error(outcome.reason)
  return outcome.telegram
}

describe('CRC-16/ARC', () => {
  it('gives the standard check value and the fixtures’ CRCs', () => {
    expect(crc16Arc('123456789')).toBe(0xbb3d)
    const text = fixture('dsmr5-1.txt')
    expect(crc16Arc(text, 0, text.indexOf('!') + 1)).toBe(0x6eee)
  })
})

describe('DSMR timestamps', () => {
  it('turn S (UTC+2) and W (UTC+1) into UTC and refuse impossible ones', () => {
    expect(dsmrTimestampToUtc('170102192002W')).toBe('2017-01-02T18:20:02.000Z')
    expect(dsmrTimestampToUtc('200426223325S')).toBe('2020-04-26T20:33:25.000Z')
    expect(dsmrTimestampToUtc('632525252525W')).toBeNull()
    expect(dsmrTimestampToUtc('230231120000W')).toBeNull()
    expect(dsmrTimestampToUtc('170102192002')).toBeNull()
  })

  it('know central European summer time without the flag (DSMR 2.2)', () => {
    expect(centralEuropeanSummer('2103280159')).toBe(false) // last Sunday of March 2021, before 02:00
    expect(centralEuropeanSummer('2103280300')).toBe(true)
    expect(centralEuropeanSummer('2110310259')).toBe(true) // last Sunday of October 2021
    expect(centralEuropeanSummer('2110310300')).toBe(false)
    expect(centralEuropeanSummer('1611071900')).toBe(false)
  })
})

describe('DSMR P1 telegrams (fixtures)', () => {
  it('DSMR 5.0 (Iskra MT382): meter id, UTC time, registers per tariff, power, phases and gas', () => {
    expect(parsed('dsmr5-1.txt')).toEqual({
      header: 'ISk5\\2MT382-1000',
      meterId: 'K8EG004046395507',
      timestamp: '2017-01-02T18:20:02.000Z',
      crcValid: true,
      electricity: {
        deliveredKWh: { t1: 4.426, t2: 2.399, total: 6.825 },
        returnedKWh: { t1: 2.444, t2: 0, total: 2.444 },
        powerDeliveredKW: 0.244,
        powerReturnedKW: 0,
        tariff: 2,
        voltageV: [230, 230, 229],
        currentA: [0.48, 0.44, 0.86]
      },
      gas: { m3: 0.107, timestamp: '2017-01-02T15:10:05.000Z' }
    })
  })

  it('two M-Bus channels: the gas meter is the connected one', () => {
    expect(parsed('dsmr5-2-two-mbus.txt').gas).toEqual({ m3: 246.138, timestamp: '2020-04-26T20:30:01.000Z' })
    expect(parsed('dsmr5-3-iskra-am550.txt').electricity.returnedKWh).toEqual({ t1: 1285.951, t2: 2876.514, total: 4162.465 })
  })

  it('DSMR 4.2 (Kaifa)', () => {
    const t = parsed('dsmr42-kaifa.txt')
    expect(t).toMatchObject({ timestamp: '2016-11-13T19:57:57.000Z', crcValid: true, gas: { m3: 981.443 } })
    expect(t.electricity).toMatchObject({
      deliveredKWh: { t1: 1581.123, t2: 1435.706, total: 3016.829 },
      powerDeliveredKW: 2.027,
      tariff: 2
    })
  })

  it('Belgian e-MUCS: gas on 24.2.3 (not the water meter), and an invalid time in its history does not spoil it', () => {
    expect(parsed('fluvius-emucs-1.txt')).toMatchObject({
      meterId: '1SAG3101021605',
      timestamp: '2020-05-12T11:54:09.000Z',
      gas: { m3: 112.384, timestamp: '2020-05-12T11:45:58.000Z' }
    })
    expect(parsed('fluvius-emucs-2.txt')).toMatchObject({
      timestamp: '2023-11-02T11:15:48.000Z',
      electricity: { deliveredKWh: { t1: 301.548, t2: 270.014 } }
    })
  })

  it('Luxembourg Sagemcom: Wh and W scaled to kWh and kW, totals from x.8.0', () => {
    expect(parsed('sagemcom-t210dr-lux.txt').electricity).toMatchObject({
      deliveredKWh: { t1: 5017.12, t2: 1528.646, total: 6545.766 },
      returnedKWh: { total: 0.058 },
      powerDeliveredKW: 0.286
    })
  })

  it('Hungarian E.ON: four tariffs', () => {
    expect(parsed('eon-hu-v5.txt').electricity).toMatchObject({
      deliveredKWh: { t1: 47.719, t2: 125.921, t3: 0, t4: 0, total: 173.64 },
      powerReturnedKW: 2.601
    })
  })

  it('a CRC of three hex digits, and DSMR 2.2 without any CRC, accepted as such', () => {
    expect(parsed('edge-unpadded-crc-warmtelink.txt')).toMatchObject({ crcValid: true, meterId: 'ADC3100000158491', gas: null })
    expect(parsed('edge-dsmr22-no-crc.txt')).toMatchObject({
      crcValid: null,
      timestamp: null,
      gas: { m3: 1.001, timestamp: '2016-11-07T18:00:00.000Z' }
    })
  })

  it('rejects the telegram with a wrong CRC, saying so', () => {
    const { frames: found } = frames(fixture('edge-dsmr5-bad-crc.txt'))
    expect(parseTelegram(found[0]!.text)).toEqual({ ok: false, reason: 'CRC mismatch: the telegram says 6EEE, its bytes give 72F0' })
  })

  it('finds exactly the two complete telegrams in the noisy stream, and reports the cut-off one', () => {
    const stream = fixture('stream-garbage-2full-1partial.txt')
    const whole = frames(stream)
    expect(whole.frames.map((f) => parseTelegram(f.text).ok)).toEqual([true, true])
    expect(whole.frames[0]!.offset).toBe(stream.indexOf('/ISk5'))
    expect(whole.left).toEqual([{ offset: stream.lastIndexOf('/ISk5'), reason: 'incomplete telegram at the end of the input' }])
  })

  it('frames the same telegrams whatever the sizes of the reads', () => {
    const stream = fixture('stream-garbage-2full-1partial.txt') + fixture('dsmr5-1.txt') + 'noise\r\n' + fixture('fluvius-emucs-1.txt')
    const expected = frames(stream).frames
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 60 }), (sizes) => {
        const framer = new TelegramFramer()
        const found = []
        let at = 0
        for (let i = 0; at < stream.length; i++) {
          const size = sizes[i % sizes.length]!
          found.push(...framer.push(stream.slice(at, at + size)).frames)
          at += size
        }
        expect(found).toEqual(expected)
      }),
      { numRuns: 200, seed: 5 }
    )
    expect(expected).toHaveLength(4)
  })

  it('reports the same telegrams and the same cut-off starts whatever the sizes of the reads, when starts far outnumber ends', () => {
    const telegram = fixture('dsmr5-1.txt')
    const stream = `${telegram}${'/\n'.repeat(300)}${telegram}/ISk5 cut\r\n${'/\r\n'.repeat(50)}${telegram}`
    const whole = frames(stream)
    expect(whole.frames.map((f) => f.offset)).toEqual([0, telegram.length + 600, stream.length - telegram.length])
    expect(whole.dropped).toHaveLength(300 + 1 + 50)
    expect(whole.dropped[299]).toEqual({
      offset: telegram.length + 598,
      reason: `telegram cut off: a new one starts at byte ${telegram.length + 600}`
    })
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 40 }), (sizes) => {
        const framer = new TelegramFramer()
        const found: { frames: unknown[]; dropped: unknown[] } = { frames: [], dropped: [] }
        for (let at = 0, i = 0; at < stream.length; at += sizes[i++ % sizes.length]!) {
          const pushed = framer.push(stream.slice(at, at + sizes[i % sizes.length]!))
          found.frames.push(...pushed.frames)
          found.dropped.push(...pushed.dropped)
        }
        found.dropped.push(...framer.end())
        expect(found).toEqual({ frames: whole.frames, dropped: [...whole.dropped, ...whole.left] })
      }),
      { numRuns: 200, seed: 7 }
    )
  })
})
