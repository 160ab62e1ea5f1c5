// Shared pieces of the end-to-end tests: Debian's Chromium through playwright-core, pages that
// record every console error, and screenshots kept as artifacts.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { startServe, type ServeProcess } from '../support/cli'

export const CHROMIUM = '/usr/bin/chromium'
export const artifactsDir = fileURLToPath(new URL('../../test-artifacts/e2e/', import.meta.url))

/** Every wait in these tests is bounded by one of these. */
export const ACTION_TIMEOUT_MS = 15_000
export const NAVIGATION_TIMEOUT_MS = 30_000

/** The views in nav order and the Alt+digit each opens, as an operator learns them (Chargers took the free 0). */
export const consoleViews = [
  { name: 'overview', shortcutDigit: 1 },
  { name: 'wallets', shortcutDigit: 2 },
  { name: 'auctions', shortcutDigit: 3 },
  { name: 'tangle', shortcutDigit: 4 },
  { name: 'esu', shortcutDigit: 5 },
  { name: 'history', shortcutDigit: 6 },
  { name: 'meters', shortcutDigit: 7 },
  { name: 'chargers', shortcutDigit: 0 },
  { name: 'network', shortcutDigit: 8 },
  { name: 'settings', shortcutDigit: 9 }
] as const
export const viewNames = consoleViews.map((view) => view.name)

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

export function removeDir(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true })
}

export interface Browser {
  context: BrowserContext
  close(): Promise<void>
}

/** Headless Chromium with a fresh profile, quiet: no background traffic, no GPU. */
export async function launchBrowser(): Promise<Browser> {
  const profileDir = tempDir('dv2g-e2e-chromium-')
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1440, height: 900 },
    timeout: NAVIGATION_TIMEOUT_MS,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic'
    ]
  })
  context.setDefaultTimeout(ACTION_TIMEOUT_MS)
  context.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS)
  return {
    context,
    async close() {
      await context.close().catch(() => {})
      removeDir(profileDir)
    }
  }
}

export interface WatchedPage {
  page: Page
  /** console 'error' messages and uncaught page errors, in order */
  errors: string[]
}

export async function openWatchedPage(browser: Browser): Promise<WatchedPage> {
  const page = await browser.context.newPage()
  const errors: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`)
  })
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`))
  return { page, errors }
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(artifactsDir, { recursive: true })
  const path = join(artifactsDir, `${name}.png`)
  await page.screenshot({ path, fullPage: true })
  return path
}

/**
 * What the screen showed when a test failed: a screenshot among the artifacts, and the page's
 * address, visible text and recorded errors in the log, where a CI run without artifacts shows them.
 */
export async function reportFailure(watched: WatchedPage, testName: string): Promise<void> {
  const { page } = watched
  const name = `failed-${testName.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`
  const shot = await screenshot(page, name).catch((error: Error) => `no screenshot (${error.message})`)
  const text = await page.evaluate('document.body.innerText').catch((error: Error) => `unreadable (${error.message})`)
  console.log(
    `e2e: "${testName}" failed on ${page.url()}\n  screenshot: ${shot}\n  errors: ${JSON.stringify(watched.errors)}\n  page text:\n${String(text).slice(0, 4000)}`
  )
}

/**
 * Records every value an element shows, in the page itself (a MutationObserver), so a busy
 * machine that renders faster than a test can poll loses none of the intermediate ones.
 * The value is the element's text, or one of its attributes.
 */
export async function recordValues(page: Page, testId: string, attribute?: string): Promise<() => Promise<string[]>> {
  const key = `__dv2gRecorded_${testId}`
  await page.evaluate(
    ({ key, testId, attribute }) => {
      // runs in the page: its DOM, typed here by the little this needs (the test's tsconfig has no DOM)
      type Element = { textContent: string | null; getAttribute(name: string): string | null }
      const page = globalThis as unknown as Record<string, unknown> & {
        document: { body: unknown; querySelector(selector: string): Element | null }
        MutationObserver: new (callback: () => void) => { observe(target: unknown, options: object): void }
      }
      const seen = new Set<string>()
      const read = () => {
        const element = page.document.querySelector(`[data-testid="${testId}"]`)
        const value = element ? (attribute ? element.getAttribute(attribute) : element.textContent) : null
        if (value !== null) seen.add(value)
      }
      new page.MutationObserver(read).observe(page.document.body, { subtree: true, childList: true, characterData: true, attributes: true })
      read()
      page[key] = seen
    },
    { key, testId, attribute }
  )
  return () => page.evaluate((key) => [...((globalThis as unknown as Record<string, Set<string>>)[key] ?? [])], key)
}

/** The value of an ESU output as shown, e.g. "0.14236", or "—" when nothing is computed. */
export async function outputText(page: Page, key: string): Promise<string> {
  return (await page.getByTestId(`esu-out-${key}`).textContent())?.trim() ?? ''
}

export interface ServedConsole {
  dataDir: string
  server: ServeProcess
  watched: WatchedPage
}

/**
 * `dv2g serve` on a fresh data dir (with `serveArgs`), with a watched Chromium page open on `route`
 * (e.g. "#/wallets"), for the tests of one file; everything is removed after them.
 */
export function useServedConsole(prefix: string, route: string, serveArgs: readonly string[] = []): () => ServedConsole {
  let browser: Browser | undefined
  let served: ServedConsole | undefined
  let dataDir: string | undefined
  beforeAll(async () => {
    dataDir = tempDir(prefix)
    browser = await launchBrowser()
    const server = await startServe(dataDir, serveArgs)
    const watched = await openWatchedPage(browser)
    served = { dataDir, server, watched }
    await watched.page.goto(`${server.url}${route}`)
  })
  afterEach(async (context) => {
    if (served && context.task.result?.state === 'fail') await reportFailure(served.watched, context.task.name)
  })
  afterAll(async () => {
    await browser?.close()
    await served?.server.stop()
    removeDir(dataDir)
  })
  return () => served!
}

/**
 * Creates a wallet in the Wallets view and closes its mnemonic dialog, waiting until the dialog
 * has gone: until then its focus trap takes whatever is typed next (a CI run lost a name to it).
 */
export async function createWallet(page: Page, name: string, role: 'operator' | 'grid' | 'ev'): Promise<void> {
  await page.getByTestId('wallet-name').fill(name)
  await page.getByTestId('wallet-role').selectOption(role)
  await page.getByTestId('wallet-create').click()
  await page.getByTestId('wallet-mnemonic-done').click()
  await page.getByTestId('wallet-mnemonic-done').waitFor({ state: 'hidden' })
  await page.getByTestId(`wallet-row-${name}`).waitFor()
}
