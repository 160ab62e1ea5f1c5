// Meter logs end to end: a folder with a large CSV log (and a few broken lines) is imported from
// the Meters view; the progress bar moves, the rejected lines are listed by number, and the
// meter's readings appear in its chart.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recordValues, removeDir, screenshot, tempDir, useServedConsole } from './support'

const served = useServedConsole('dv2g-e2e-meters-', '#/meters')
let logsDir: string | undefined

const ROWS = 300_000

beforeAll(async () => {
  logsDir = tempDir('dv2g-e2e-stick-')
  mkdirSync(join(logsDir, 'P1'))
  const start = Date.UTC(2026, 0, 1)
  const lines = ['meter;timestamp;import_kwh;export_kwh']
  for (let i = 0; i < ROWS; i++) {
    const meter = i % 3
    const k = Math.floor(i / 3)
    lines.push(
      `EAN-${meter};${new Date(start + k * 900_000).toISOString()};${(k * 0.2).toFixed(3).replace('.', ',')};${(k * 0.05).toFixed(3).replace('.', ',')}`
    )
  }
  lines[10] = 'EAN-0;not a time;1,0;0'
  lines[20] = 'EAN-1;2026-01-01T10:00:00Z;-5;0'
  writeFileSync(join(logsDir, 'P1', 'readings.csv'), `${lines.join('\n')}\n`)
})

afterAll(() => removeDir(logsDir))

describe('importing meter logs', () => {
  it('imports a folder with progress, lists the rejected lines, and charts the readings', async () => {
    const page = served().watched.page
    await page.getByTestId('meter-import-path').fill(logsDir!)
    const progressValues = await recordValues(page, 'meter-import-progress', 'aria-valuenow')
    await page.getByTestId('meter-import-start').click()

    // progress is shown while the file is read
    await page.getByTestId('meter-import-results').waitFor({ timeout: 60_000 })
    const values = new Set(await progressValues())
    expect(values.size, [...values].join(',')).toBeGreaterThan(1)

    const results = page.getByTestId('meter-import-results')
    // however the count is grouped (2,998 or 2 998), its digits are there
    expect((await results.textContent())!.replace(/[\s,.\u2009\u202f]/g, '')).toContain(String(ROWS - 2))
    const rejected = await page.getByTestId('meter-import-rejected').textContent()
    expect(rejected).toMatch(/line 11: timestamp "not a time" is not YYYY-MM-DD/)
    expect(rejected).toMatch(/line 21: import kWh must be a number of at least 0 \(got "-5"\)/)

    await page.getByTestId('meter-row-EAN-1').click()
    await page.getByTestId('meter-chart').locator('canvas').first().waitFor()
    await screenshot(page, 'meters-import')
    expect(served().watched.errors).toEqual([])
  })
})
