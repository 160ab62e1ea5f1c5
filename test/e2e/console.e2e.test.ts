// The console in Chromium against `dv2g serve` on a fresh data dir: every view opens cleanly, and
// the ESU calculator gives the reference case's figures when typed in by hand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { startServe, type ServeProcess } from '../support/cli'
import { referenceEsuCase } from '../support/esuCase'
import {
  consoleViews,
  launchBrowser,
  openWatchedPage,
  outputText,
  removeDir,
  screenshot,
  tempDir,
  viewNames,
  type Browser,
  type WatchedPage
} from './support'

let dataDir: string | undefined
let server: ServeProcess | undefined
let browser: Browser | undefined
let watched: WatchedPage
let page: Page

beforeAll(async () => {
  dataDir = tempDir('dv2g-e2e-data-')
  browser = await launchBrowser()
  watched = await openWatchedPage(browser)
  page = watched.page

  const spawnedAt = performance.now()
  server = await startServe(dataDir)
  await page.goto(server.url)
  await page.getByTestId('nav-overview').waitFor({ state: 'visible' })
  const renderedMs = Math.round(performance.now() - spawnedAt)
  await page.getByTestId('data-dir-path').waitFor({ state: 'visible' })
  const dataShownMs = Math.round(performance.now() - spawnedAt)
  console.log(
    `e2e: server start to rendered console ${renderedMs} ms (target < 2000 ms; URL printed after ${Math.round(server.startMs)} ms, data dir shown after ${dataShownMs} ms)`
  )
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
  removeDir(dataDir)
})

describe('the console in Chromium', () => {
  it('opens every view from the nav with no console or page error, and keeps a screenshot of each', async () => {
    for (const name of viewNames) {
      await page.getByTestId(`nav-${name}`).click()
      await page.getByTestId(`view-${name}`).waitFor({ state: 'visible' })
      if (name === 'esu') {
        await page.locator('[data-testid="esu-chart"] canvas').first().waitFor({ state: 'visible' })
      } else if (name === 'wallets') {
        await page.getByTestId('wallet-unlock-form').waitFor({ state: 'visible' })
      } else if (name === 'tangle') {
        await page.getByTestId('tangle-stats').waitFor({ state: 'visible' })
      } else if (name === 'auctions') {
        await page.getByTestId('auction-start-form').waitFor({ state: 'visible' })
      } else if (name === 'history') {
        await page.getByTestId('history-empty').waitFor({ state: 'visible' })
      } else if (name === 'meters') {
        await page.getByTestId('meter-add-form').waitFor({ state: 'visible' })
      } else if (name === 'chargers') {
        // this serve runs no central system: the view says how to start one
        await page.getByTestId('ocpp-empty').waitFor({ state: 'visible' })
      } else if (name === 'network') {
        // this serve runs no network node: the view says how to start one
        await page.getByTestId('network-none').waitFor({ state: 'visible' })
      } else {
        await expectDataDirShown(page)
      }
      await expect(page.getByTestId(`nav-${name}`).getAttribute('aria-current')).resolves.toBe('page')
      await screenshot(page, name)
    }
    await expect(page.getByTestId('status-connection').textContent()).resolves.toContain('connected')
    expect(watched.errors).toEqual([])
  })

  it('jumps to the views with Alt+0..Alt+9', async () => {
    for (const { name, shortcutDigit } of consoleViews) {
      await page.keyboard.press(`Alt+${shortcutDigit}`)
      await page.getByTestId(`view-${name}`).waitFor({ state: 'visible' })
      expect(new URL(page.url()).hash).toBe(`#/${name}`)
    }
    expect(watched.errors).toEqual([])
  })

  it('moves focus with Tab through the skip link and the nav, with a visible focus ring', async () => {
    // a fresh load, so that Tab starts from the top of the page and not from the last click
    await page.goto(`${server!.url}#/overview`)
    await page.reload()
    await page.getByTestId('view-overview').waitFor({ state: 'visible' })
    const focused = page.locator(':focus')
    await page.keyboard.press('Tab')
    await expect(focused.textContent()).resolves.toBe('Skip to the view')
    for (const name of viewNames) {
      await page.keyboard.press('Tab')
      await expect(focused.getAttribute('data-testid')).resolves.toBe(`nav-${name}`)
      // a string, because this file is typed for Node, not the DOM
      const outline = await page.evaluate('getComputedStyle(document.activeElement).outlineStyle')
      expect(outline).not.toBe('none')
    }
    // Enter on a focused nav link opens its view
    await page.keyboard.press('Enter')
    await page.getByTestId('view-settings').waitFor({ state: 'visible' })
  })

  it('computes the reference case typed in by hand: ω 0.14236 and CD 2.909', async () => {
    await page.getByTestId('nav-esu').click()
    // other figures first, so the case below is really typed and not just the defaults
    await page.getByTestId('esu-input-capacityKWh').fill('50')
    await page.getByTestId('esu-input-cycleLife').fill('6000')
    expect(await outputText(page, 'degradationCostPerKWh')).not.toBe('0.14236')

    for (const [field, value] of Object.entries(referenceEsuCase)) {
      await page.getByTestId(`esu-input-${field}`).fill(String(value))
    }
    const omega = await outputText(page, 'degradationCostPerKWh')
    const costPerDay = await outputText(page, 'costPerDay')
    expect(omega).toBe('0.14236')
    expect(Number(costPerDay).toPrecision(4)).toBe('2.909')
    expect(costPerDay).toBe('2.9094')
    expect(await outputText(page, 'lifetimeThroughputKWh')).toBe('57600')
    expect(await outputText(page, 'annuityFactor')).toBe('0.12950')

    await page.getByTestId('esu-input-dailySaving').fill('4')
    await expect(page.getByTestId('esu-verdict').getAttribute('data-verdict')).resolves.toBe('worth-it')
    await expect(page.getByTestId('esu-margin').textContent()).resolves.toBe('+1.0906')
    await page.getByTestId('esu-input-dailySaving').fill('2.5')
    await expect(page.getByTestId('esu-verdict').getAttribute('data-verdict')).resolves.toBe('not-worth-it')
    await page.locator('[data-testid="esu-chart"] canvas').first().waitFor({ state: 'visible' })
    await screenshot(page, 'esu-case')
    expect(watched.errors).toEqual([])
  })

  it('marks a depth of discharge of 1.5 inline and shows no numbers', async () => {
    await page.getByTestId('nav-esu').click()
    await page.getByTestId('esu-input-depthOfDischarge').fill('1.5')
    const error = page.getByTestId('esu-error-depthOfDischarge')
    await error.waitFor({ state: 'visible' })
    await expect(error.textContent()).resolves.toContain('must be between 0.01 and 1')
    await expect(page.getByTestId('esu-input-depthOfDischarge').getAttribute('aria-invalid')).resolves.toBe('true')
    for (const key of ['costPerDay', 'degradationCostPerKWh', 'lifetimeThroughputKWh', 'annuityFactor']) {
      expect(await outputText(page, key)).toBe('—')
    }
    await expect(page.getByTestId('esu-invalid-summary').textContent()).resolves.toContain('depth of discharge')
    await expect(page.getByTestId('esu-chart').count()).resolves.toBe(0)
    await expect(page.getByTestId('esu-profile-save').isDisabled()).resolves.toBe(true)
    await screenshot(page, 'esu-invalid')

    await page.getByTestId('esu-input-depthOfDischarge').fill('0.8')
    await expect(page.getByTestId('esu-error-depthOfDischarge').count()).resolves.toBe(0)
    expect(await outputText(page, 'degradationCostPerKWh')).toBe('0.14236')
    expect(watched.errors).toEqual([])
  })
})

async function expectDataDirShown(page: Page): Promise<void> {
  const path = page.getByTestId('data-dir-path').first()
  await path.waitFor({ state: 'visible' })
  await expect(path.textContent()).resolves.toBe(dataDir)
  await expect(page.getByTestId('data-dir-tables').first().textContent()).resolves.toContain('esu_profiles')
}
