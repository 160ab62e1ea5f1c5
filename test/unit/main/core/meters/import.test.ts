import { spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, readdirSync as readdirSyncReal, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { openDatabase } from '../../../../../src-main/core/db/connection'
import { importFile, UnreadableLog } from '../../../../../src-main/core/meters/importer'
import { LineSplitter, MAX_LINE_BYTES, type SplitLine } from '../../../../../src-main/core/meters/lineSplitter'
import { logFilesIn } from '../../../../../src-main/core/meters/logFiles'
import { FLAG_GAP, FLAG_RESET, ReadingStore } from '../../../../../src-main/core/meters/readingStore'
import { dsmr5Telegram, startsWithoutEnds } from '../../../../support/dsmrLogs'
import { itUnless } from '../../../../support/itUnless'
import { useTempDirs } from '../../../../support/tempDir'

const tempDir = useTempDirs()

function setup() {
  const dir = tempDir()
  const db = openDatabase(join(dir, 'db.sqlite'))
  return {
    dir,
    db,
    store: new ReadingStore(db),
    write: (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name))
  }
}

const all = (db: ReturnType<typeof openDatabase>) =>
  db
    .prepare(
      'SELECT meter_id AS meterId, ts_ms AS tsMs, import_wh AS importWh, export_wh AS exportWh, flags FROM readings ORDER BY meter_id, ts_ms'
    )
    .all() as { meterId: string; tsMs: number; importWh: number; exportWh: number; flags: number }[]

describe('CSV meter logs', () => {
  it('reads a header, semicolons, decimal commas and a BOM; a second import adds nothing', async () => {
    const { db, store, write } = setup()
    const file = write(
      'log.csv',
      '\uFEFFMeter;Timestamp;Import kWh;Export kWh\r\nM1;2024-05-01 00:00:00+02:00;10,5;0,25\r\nM1;2024-05-01 00:15:00+02:00;10,75;0,25\r\n'
    )
    const first = await importFile(store, file)
    expect(first).toMatchObject({ kind: 'csv', inserted: 2, duplicates: 0, rejectedCount: 0 })
    expect(all(db)).toEqual([
      { meterId: 'M1', tsMs: Date.UTC(2024, 3, 30, 22, 0), importWh: 10_500, exportWh: 250, flags: 0 },
      { meterId: 'M1', tsMs: Date.UTC(2024, 3, 30, 22, 15), importWh: 10_750, exportWh: 250, flags: 0 }
    ])
    expect(await importFile(store, file)).toMatchObject({ inserted: 0, duplicates: 2 })
    expect(all(db)).toHaveLength(2)
  })

  it('finds columns by their names in any order, and reads commas with quoted decimal commas', async () => {
    const { db, store, write } = setup()
    const file = write('log.csv', 'export,time,meter_id,import\n"0,5",2024-05-01T10:00Z,EAN1,"3,25"\n')
    expect(await importFile(store, file)).toMatchObject({ inserted: 1 })
    expect(all(db)[0]).toMatchObject({ meterId: 'EAN1', tsMs: Date.UTC(2024, 4, 1, 10), importWh: 3250, exportWh: 500 })
  })

  it('reports every bad line with its number and reason, and imports the rest', async () => {
    const { db, store, write } = setup()
    const file = write(
      'log.csv',
      [
        'M1,2024-05-01 10:00Z,1.0,0',
        'M1,2024-05-01 10:15Z,abc,0',
        'M1,yesterday,1.2,0',
        'M1,2024-05-01 10:30Z,-1,0',
        'M1,2024-02-30 10:45Z,1.3,0',
        'M1,2024-05-01 11:00Z',
        'M1,2024-05-01 11:15,1.4,0',
        'M1,2024-05-01 11:30Z,1.5,0'
      ].join('\n')
    )
    const result = await importFile(store, file)
    expect(result.inserted).toBe(2)
    expect(result.rejected).toEqual([
      { line: 2, reason: 'import kWh must be a number of at least 0 (got "abc")' },
      { line: 3, reason: 'timestamp "yesterday" is not YYYY-MM-DD hh:mm[:ss][offset]' },
      { line: 4, reason: 'import kWh must be a number of at least 0 (got "-1")' },
      { line: 5, reason: 'timestamp "2024-02-30 10:45Z" is not a real date and time' },
      { line: 6, reason: 'expected 4 columns (meter id, timestamp, import kWh, export kWh), found 2' },
      { line: 7, reason: 'timestamp "2024-05-01 11:15" has no UTC offset: state the log\'s time zone (e.g. --tz Europe/Amsterdam)' }
    ])
    expect(all(db).map((r) => r.importWh)).toEqual([1000, 1500])
  })

  it('places local times right on the 23- and 25-hour days of Europe/Amsterdam', async () => {
    const { db, store, write } = setup()
    const quarterHours = (date: string, hours: number[]) =>
      hours.flatMap((h) => [0, 15, 30, 45].map((m) => `${date} ${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`))
    // spring: 02:00–03:00 does not exist; autumn: 02:00–03:00 happens twice
    const spring = quarterHours('2024-03-31', [...Array(24).keys()])
    const autumn = [
      ...quarterHours('2024-10-27', [0, 1, 2]),
      ...quarterHours('2024-10-27', [2]),
      ...quarterHours('2024-10-27', [...Array(24).keys()].slice(3))
    ]
    const lines = [...spring.map((t, i) => `S,${t},${i},0`), ...autumn.map((t, i) => `A,${t},${i},0`)]
    const result = await importFile(store, write('dst.csv', lines.join('\n')), { timeZone: 'Europe/Amsterdam' })
    expect(result.rejected.map((r) => r.reason)).toEqual(
      ['2024-03-31 02:00', '2024-03-31 02:15', '2024-03-31 02:30', '2024-03-31 02:45'].map(
        (t) => `${t} does not exist in Europe/Amsterdam: the clocks went forward over it`
      )
    )
    const rows = all(db)
    const springDay = rows.filter((r) => r.meterId === 'S')
    const autumnDay = rows.filter((r) => r.meterId === 'A')
    expect(springDay).toHaveLength(23 * 4)
    expect(autumnDay).toHaveLength(25 * 4)
    // every quarter hour of the 25-hour day is a distinct instant, 15 minutes apart, from 22:00 UTC the day before
    autumnDay.forEach((r, i) => expect(r.tsMs).toBe(Date.UTC(2024, 9, 26, 22) + i * 900_000))
    expect(springDay[8]!.tsMs - springDay[7]!.tsMs).toBe(900_000) // 01:45 CET to 03:00 CEST
  })

  it('flags a counter that goes backwards and a gap of more than twice the interval', async () => {
    const { db, store, write } = setup()
    await importFile(
      store,
      write(
        'a.csv',
        [
          'M,2024-05-01 10:00Z,5,1',
          'M,2024-05-01 10:15Z,6,1',
          'M,2024-05-01 10:30Z,2,1',
          'M,2024-05-01 10:45Z,3,1',
          'M,2024-05-01 12:00Z,4,1'
        ].join('\n')
      )
    )
    expect(all(db).map((r) => r.flags)).toEqual([0, 0, FLAG_RESET, 0, FLAG_GAP])
  })

  it('round-trips random valid rows exactly', async () => {
    const row = fc.record({
      meter: fc.constantFrom('M1', 'M2', 'EAN 871'),
      minute: fc.integer({ min: 0, max: 500_000 }),
      importWh: fc.integer({ min: 0, max: 99_999_999 }),
      exportWh: fc.integer({ min: 0, max: 99_999_999 })
    })
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(row, { selector: (r) => `${r.meter}/${r.minute}`, minLength: 1, maxLength: 60 }),
        fc.constantFrom(',', ';'),
        async (rows, separator) => {
          const { db, store, write } = setup()
          const decimal = (wh: number) => (wh / 1000).toFixed(3).replace('.', separator === ';' ? ',' : '.')
          const text = rows
            .map((r) =>
              [r.meter, new Date(Date.UTC(2024, 0, 1) + r.minute * 60_000).toISOString(), decimal(r.importWh), decimal(r.exportWh)].join(
                separator
              )
            )
            .join('\n')
          const result = await importFile(store, write('r.csv', text))
          expect(result.rejectedCount).toBe(0)
          const expected = rows.map((r) => ({
            meterId: r.meter,
            tsMs: Date.UTC(2024, 0, 1) + r.minute * 60_000,
            importWh: r.importWh,
            exportWh: r.exportWh
          }))
          expected.sort((a, b) => (a.meterId < b.meterId ? -1 : a.meterId > b.meterId ? 1 : a.tsMs - b.tsMs))
          expect(all(db).map(({ flags: _flags, ...r }) => r)).toEqual(expected)
          db.close()
        }
      ),
      { numRuns: 25, seed: 9 }
    )
  })

  it('reports random corruption with its line, never dropping a line silently', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.boolean(), { minLength: 1, maxLength: 50 }),
        fc.string({ minLength: 1, maxLength: 6 }),
        async (corrupt, junk) => {
          const { db, store, write } = setup()
          const lines = corrupt.map((bad, i) => {
            const line = `M,${new Date(Date.UTC(2024, 0, 1) + i * 900_000).toISOString()},${i}.5,0`
            return bad ? line.replace(/,\d+\.5,/, `,${junk.replace(/[\n\r]/g, '')}x,`) : line
          })
          const result = await importFile(store, write('c.csv', ['meter,timestamp,import,export', ...lines].join('\n')))
          const badLines = corrupt.flatMap((bad, i) => (bad ? [i + 2] : []))
          expect(result.rejected.map((r) => r.line)).toEqual(badLines)
          expect(result.inserted + result.rejectedCount).toBe(corrupt.length)
          db.close()
        }
      ),
      { numRuns: 40, seed: 10 }
    )
  })
})

describe('DSMR telegram logs', () => {
  it('imports the telegrams of a capture, rejecting the bad CRC and the cut-off one with their lines', async () => {
    const { db, store, write } = setup()
    const fixture = (name: string) => readFileSync(`test/fixtures/dsmr/${name}`, 'latin1')
    // the capture cut off mid-telegram, then the meter starts over on a new line
    const text = fixture('stream-garbage-2full-1partial.txt') + '\r\n' + fixture('edge-dsmr5-bad-crc.txt') + fixture('fluvius-emucs-1.txt')
    writeFileSync(write('p1.log', ''), Buffer.from(text, 'latin1'))
    const result = await importFile(store, join(db.name, '..', 'p1.log'))
    expect(result).toMatchObject({ kind: 'dsmr', inserted: 3 })
    const lineAt = (offset: number) => text.slice(0, offset).split('\n').length
    const badCrc = text.indexOf('!6EEE', text.indexOf('!56DD'))
    const cut = text.lastIndexOf('/ISk5', text.lastIndexOf('/ISk5', badCrc) - 1)
    expect(result.rejected).toEqual([
      { line: lineAt(cut), reason: expect.stringMatching(/^telegram cut off/) },
      { line: lineAt(text.lastIndexOf('/ISk5', badCrc)), reason: 'CRC mismatch: the telegram says 6EEE, its bytes give 72F0' }
    ])
    expect(
      all(db)
        .map((r) => r.meterId)
        .sort()
    ).toEqual(['1SAG3101021605', 'E0044007382246019', 'K8EG004046395507'])
  })
})

/** A named pipe, as a stick or a hostile folder could hold one (Node has no mkfifo of its own). */
function mkfifo(path: string): string {
  const made = spawnSync('mkfifo', [path])
  if (made.status !== 0) throw new Error(`mkfifo ${path} failed: ${made.stderr}`)
  return path
}

describe('import hygiene: bounded lines', () => {
  it('holds at most 64 KiB of a line with no end, reports it as too long, and goes on with the next line', () => {
    const splitter = new LineSplitter()
    const lines: SplitLine[] = []
    let mostHeld = 0
    const piece = Buffer.alloc(100_000, 'x')
    for (let sent = 0; sent < 10_000_000; sent += piece.length) {
      splitter.push(piece, (l) => lines.push(l))
      mostHeld = Math.max(mostHeld, splitter.pendingBytes)
    }
    expect(mostHeld).toBeLessThanOrEqual(MAX_LINE_BYTES)
    expect(lines).toEqual([])
    splitter.push(Buffer.from('xx\nM1,2024-05-01 10:00Z,1,0\nM1,'), (l) => lines.push(l))
    splitter.push(Buffer.from('2024-05-01 10:15Z,2,0'), (l) => lines.push(l))
    splitter.end((l) => lines.push(l))
    expect(lines).toEqual([
      { number: 1, tooLong: true },
      { number: 2, text: 'M1,2024-05-01 10:00Z,1,0' },
      { number: 3, text: 'M1,2024-05-01 10:15Z,2,0' }
    ])
  })

  it('counts a long line by its UTF-8 bytes, and keeps a character split between reads whole', () => {
    const splitter = new LineSplitter()
    const lines: SplitLine[] = []
    const most = Math.floor(MAX_LINE_BYTES / 3) // euro signs of 3 bytes each that fit; one more does not
    const euros = '€'.repeat(most)
    const bytes = Buffer.from(`${euros}\n${euros}€\nM€ter\n`)
    for (let at = 0; at < bytes.length; at += 1000) splitter.push(bytes.subarray(at, at + 1000), (l) => lines.push(l))
    expect(lines.map((l) => ('tooLong' in l ? 'too long' : l.text.length))).toEqual([most, 'too long', 5])
  })

  it('rejects a 10 MB file without a line break as one line too long, in bounded memory', async () => {
    const { db, store, write } = setup()
    const file = write('nonewline.csv', 'M1,'.padEnd(10_000_000, '9'))
    const result = await importFile(store, file)
    expect(result).toMatchObject({
      kind: 'csv',
      inserted: 0,
      rejectedCount: 1,
      rejected: [{ line: 1, reason: 'the line is longer than 64 KiB: not a line of a meter log' }]
    })
    expect(all(db)).toEqual([])
  })

  it('rejects only the long line and imports the lines around it', async () => {
    const { db, store, write } = setup()
    const file = write(
      'long.csv',
      ['M1,2024-05-01 10:00Z,1,0', 'M1,2024-05-01 10:15Z,' + '2'.repeat(70_000) + ',0', 'M1,2024-05-01 10:30Z,3,0'].join('\n')
    )
    const result = await importFile(store, file)
    expect(result.rejected).toEqual([{ line: 2, reason: 'the line is longer than 64 KiB: not a line of a meter log' }])
    expect(all(db).map((r) => r.importWh)).toEqual([1000, 3000])
  })
})

describe('import hygiene: bounded telegram text', () => {
  it('reads the telegrams around 10 MB of a telegram that never ends, rejecting it by its line', async () => {
    const { db, store, write } = setup()
    const telegram = readFileSync('test/fixtures/dsmr/fluvius-emucs-1.txt', 'latin1')
    const second = readFileSync('test/fixtures/dsmr/stream-garbage-2full-1partial.txt', 'latin1')
    const endless = '/XMX5' + 'x'.repeat(10_000_000)
    const text = `${telegram}\r\n${endless}\r\n${second}`
    writeFileSync(write('p1.log', ''), Buffer.from(text, 'latin1'))
    const result = await importFile(store, join(db.name, '..', 'p1.log'))
    expect(result.kind).toBe('dsmr')
    expect(result.rejected[0]).toEqual({
      line: text.slice(0, text.indexOf('/XMX5')).split('\n').length,
      reason: 'no end of telegram within 16384 bytes'
    })
    expect(result.rejected[1]).toMatchObject({ reason: 'incomplete telegram at the end of the input' }) // the fixture's own cut-off one
    expect(
      all(db)
        .map((r) => r.meterId)
        .sort()
    ).toEqual(['1SAG3101021605', 'E0044007382246019', 'K8EG004046395507'])
  })
})

describe('import hygiene: only regular files', () => {
  it('refuses a FIFO at once (opening it would wait for a writer forever) and a device', async () => {
    const { dir, store } = setup()
    const fifo = mkfifo(join(dir, 'pipe.csv'))
    await expect(importFile(store, fifo)).rejects.toThrow(new UnreadableLog(fifo, 'it is a FIFO (named pipe), not a regular file'))
    await expect(importFile(store, '/dev/zero')).rejects.toThrow(
      new UnreadableLog('/dev/zero', 'it is a character device, not a regular file')
    )
  })

  it('does not open a symbolic link itself: the file list gives it the real path it may have', async () => {
    const { dir, store, write } = setup()
    symlinkSync(write('real.csv', 'M1,2024-05-01 10:00Z,1,0\n'), join(dir, 'link.csv'))
    await expect(importFile(store, join(dir, 'link.csv'))).rejects.toThrow(/it is a symbolic link, not a regular file/)
  })

  it('refuses a device or FIFO named on its own, in one line naming it', () => {
    const { dir } = setup()
    const fifo = mkfifo(join(dir, 'meters.csv'))
    expect(() => logFilesIn(['/dev/zero'])).toThrow(
      '/dev/zero is a character device, not a file or folder: only meter log files and the folders holding them are imported'
    )
    expect(() => logFilesIn([fifo])).toThrow(`${fifo} is a FIFO (named pipe), not a file or folder`)
    expect(() => logFilesIn([join(dir, 'nope')])).toThrow(`${join(dir, 'nope')} does not exist`)
  })

  it('reads links to files inside the chosen folder once, and lists links out of it, dangling links and FIFOs as skipped', () => {
    const { dir: outside } = setup()
    const stick = join(setup().dir, 'STICK')
    mkdirSync(join(stick, 'logs'), { recursive: true })
    const inside = join(stick, 'logs', 'b.csv')
    writeFileSync(join(stick, 'a.csv'), 'x')
    writeFileSync(inside, 'x')
    writeFileSync(join(outside, 'secret.csv'), 'x')
    symlinkSync(inside, join(stick, 'latest.csv')) // a logger's "latest" link: the same file, read once
    symlinkSync(join(outside, 'secret.csv'), join(stick, 'escape.csv'))
    symlinkSync(outside, join(stick, 'elsewhere'))
    symlinkSync(join(stick, 'gone.csv'), join(stick, 'dangling.csv'))
    mkfifo(join(stick, 'logs', 'pipe.log'))
    const real = realpathSync(stick)
    expect(logFilesIn([stick])).toEqual({
      files: [join(stick, 'a.csv'), join(real, 'logs', 'b.csv')],
      skipped: [
        { path: join(stick, 'dangling.csv'), reason: 'the link leads nowhere: it no longer exists' },
        {
          path: join(stick, 'elsewhere'),
          reason: `the link leads out of the chosen folder (to ${realpathSync(outside)}), so it is not followed`
        },
        {
          path: join(stick, 'escape.csv'),
          reason: `the link leads out of the chosen folder (to ${realpathSync(join(outside, 'secret.csv'))}), so it is not followed`
        },
        { path: join(stick, 'logs', 'pipe.log'), reason: 'it is a FIFO (named pipe), not a regular file' }
      ]
    })
  })

  it('lists a folder it cannot list as skipped, with the reason, and reads the others', () => {
    // as root (CI) no permission bits deny a listing, so readdir stands in for a folder that refuses
    const { dir } = setup()
    mkdirSync(join(dir, 'locked'))
    mkdirSync(join(dir, 'open'))
    writeFileSync(join(dir, 'open', 'a.csv'), 'x')
    const readDir = (folder: string) => {
      if (folder === join(dir, 'locked'))
        throw Object.assign(new Error(`EACCES: permission denied, scandir '${folder}'`), { code: 'EACCES' })
      return readdirSyncReal(folder)
    }
    expect(logFilesIn([dir], { readDir })).toEqual({
      files: [join(dir, 'open', 'a.csv')],
      skipped: [{ path: join(dir, 'locked'), reason: 'the folder cannot be read: permission denied' }]
    })
  })

  const asRoot = process.getuid?.() === 0 && 'root reads a chmod 000 folder all the same: run as another user to see it refused'
  itUnless(asRoot)('lists a folder without read permission as skipped (as a user other than root)', () => {
    const { dir } = setup()
    mkdirSync(join(dir, 'locked'))
    chmodSync(join(dir, 'locked'), 0o000)
    try {
      expect(logFilesIn([dir]).skipped).toEqual([{ path: join(dir, 'locked'), reason: 'the folder cannot be read: permission denied' }])
    } finally {
      chmodSync(join(dir, 'locked'), 0o700)
    }
  })
})

describe('import time: a log of starts without ends', () => {
  it('imports the telegram, rejects every start by its line, and takes time in proportion to the size', async () => {
    const { db, store, write } = setup()
    const timeOf = async (bytes: number) => {
      const text = startsWithoutEnds(bytes)
      const file = write(`starts-${bytes}.log`, text)
      let best = Number.POSITIVE_INFINITY
      let result: Awaited<ReturnType<typeof importFile>> | undefined
      // the quickest of seven: a busy machine only ever adds time
      for (let run = 0; run < 7; run++) {
        const began = performance.now()
        result = await importFile(store, file)
        best = Math.min(best, performance.now() - began)
      }
      return { ms: best, result: result!, text }
    }
    await timeOf(32 * 1024) // warm up
    const small = await timeOf(32 * 1024)
    const large = await timeOf(128 * 1024)
    const ratio = large.ms / small.ms
    console.log(
      `DSMR import of starts without ends: 32 KiB ${small.ms.toFixed(1)} ms, 128 KiB ${large.ms.toFixed(1)} ms, ratio ${ratio.toFixed(2)} (linear: 4)`
    )

    const telegramLines = dsmr5Telegram().split('\n').length - 1
    const starts = (large.text.length - large.text.indexOf('/\n', 1)) / 2
    expect(large.result.rejectedCount).toBe(starts)
    expect(large.result.rejected.slice(0, 2)).toEqual([
      { line: telegramLines + 1, reason: expect.stringMatching(/^telegram cut off/) },
      { line: telegramLines + 2, reason: expect.stringMatching(/^telegram cut off/) }
    ])
    expect(large.result.rejected.at(-1)!.line).toBe(telegramLines + large.result.rejected.length)
    expect(all(db)).toHaveLength(1)
    expect(ratio).toBeLessThan(8)
  }, 180_000)
})
