// Serve mode closed to other local pages: a page that another program serves on 127.0.0.1 (same
// site, other port, so it would get any cookie of ours) tries the contract over fetch and over
// the WebSocket, with and without a leaked token, and gets nowhere; the console itself works,
// keeps its token out of the address bar and survives a reload.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SOCKET_PROTOCOL, socketProtocols } from '../../src-shared/serveAuth'
import { startServe, type ServeProcess } from '../support/cli'
import { referenceEsuCase } from '../support/esuCase'
import { launchBrowser, openWatchedPage, removeDir, screenshot, tempDir, type Browser, type WatchedPage } from './support'

let dataDir: string | undefined
let server: ServeProcess | undefined
let browser: Browser | undefined
let attacker: Server | undefined
let consoleUrl: URL
let console_: WatchedPage

/** What the other program's page tries, in its own script; the results land in the page. */
function attackerPage(target: string, leakedToken: string): string {
  const setup = JSON.stringify({
    target,
    leakedToken,
    parameters: referenceEsuCase,
    socketProtocols: socketProtocols(leakedToken),
    bare: [SOCKET_PROTOCOL]
  })
  return `<!doctype html>
<html><head><title>another local program</title>
<style>body{font:14px monospace;background:#fff;color:#000;padding:16px} td{padding:2px 12px;border:1px solid #999}</style></head>
<body><h1>A page of another program on 127.0.0.1</h1><p>target: ${target}</p><table id="results"></table>
<script>
const { target, leakedToken, parameters, socketProtocols, bare } = ${setup}
const socketUrl = target.replace(/^http/, 'ws') + '/ws'
const save = (name) => JSON.stringify({ name, parameters })
async function tryFetch(path, init) {
  try {
    const response = await fetch(target + path, { credentials: 'include', ...init })
    return response.type === 'opaque' ? 'sent, answer unreadable' : 'answered ' + response.status
  } catch {
    return 'blocked'
  }
}
function trySocket(protocols, name) {
  return new Promise((resolve) => {
    const ws = new WebSocket(socketUrl, protocols)
    ws.onopen = () => {
      ws.send(JSON.stringify({ type: 'call', id: 1, method: 'esu.saveProfile', input: { name, parameters } }))
      resolve('opened')
    }
    ws.onclose = () => resolve('refused')
  })
}
const attempts = {
  'fetch, simple POST with cookies': () => tryFetch('/api/esu.saveProfile', { method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' }, body: save('attacker simple') }),
  'fetch, JSON POST with cookies': () => tryFetch('/api/esu.saveProfile', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: save('attacker json') }),
  'fetch, JSON POST with the leaked token': () => tryFetch('/api/esu.saveProfile', { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + leakedToken }, body: save('attacker bearer') }),
  'socket, no token': () => trySocket(bare, 'attacker socket'),
  'socket, the leaked token': () => trySocket(socketProtocols, 'attacker socket with token')
}
window.results = {}
;(async () => {
  for (const [name, attempt] of Object.entries(attempts)) {
    const outcome = await attempt()
    window.results[name] = outcome
    const row = document.getElementById('results').insertRow()
    row.insertCell().textContent = name
    row.insertCell().textContent = outcome
  }
  document.body.dataset.done = 'true'
})()
</script></body></html>`
}

async function startAttacker(target: string, leakedToken: string): Promise<Server> {
  const http = createServer((req, res) => {
    if (req.url !== '/') {
      res.writeHead(404).end()
      return
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
    res.end(attackerPage(target, leakedToken))
  })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  return http
}

/** The profiles stored, asked the way a script with the token would (no Origin, bearer header). */
async function storedProfileNames(): Promise<string[]> {
  const response = await fetch(`${consoleUrl.origin}/api/esu.listProfiles`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${consoleUrl.searchParams.get('token')}`, 'Content-Type': 'application/json' },
    body: '{}'
  })
  const body = (await response.json()) as { output: { name: string }[] }
  return body.output.map((profile) => profile.name)
}

function profileItem(page: Page, name: string) {
  return page.locator(`[data-testid="esu-profile-item"][data-profile-name="${name}"]`)
}

beforeAll(async () => {
  dataDir = tempDir('dv2g-e2e-data-')
  browser = await launchBrowser()
  server = await startServe(dataDir)
  consoleUrl = new URL(server.url)
  console_ = await openWatchedPage(browser)
})

afterAll(async () => {
  await browser?.close()
  await new Promise((resolve) => (attacker ? attacker.close(resolve) : resolve(undefined)))
  await server?.stop()
  removeDir(dataDir)
})

describe('the console, served with its token', () => {
  it('takes the token out of the address bar, sets no cookie, and keeps working across a reload', async () => {
    const page = console_.page
    await page.goto(`${server!.url}#/esu`)
    await page.getByTestId('view-esu').waitFor({ state: 'visible' })
    await page.getByTestId('esu-profile-empty').waitFor({ state: 'visible' })
    expect(page.url()).toBe(`${consoleUrl.origin}/#/esu`)
    expect(await browser!.context.cookies()).toEqual([])

    await page.getByTestId('esu-profile-name').fill('Operator depot')
    await page.getByTestId('esu-profile-name').press('Enter')
    await profileItem(page, 'Operator depot').waitFor({ state: 'visible' })

    await page.reload()
    await profileItem(page, 'Operator depot').waitFor({ state: 'visible' })
    await expect(page.getByTestId('status-connection').textContent()).resolves.toContain('connected')
    expect(page.url()).toBe(`${consoleUrl.origin}/#/esu`)
    await screenshot(page, 'serve-console-token-kept-in-tab')
    expect(console_.errors).toEqual([])
  })
})

describe('a page of another program on 127.0.0.1', () => {
  it('can neither call /api nor open /ws, even with the token, while the console is open', async () => {
    attacker = await startAttacker(consoleUrl.origin, consoleUrl.searchParams.get('token')!)
    const attackerOrigin = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`
    expect(attackerOrigin).not.toBe(consoleUrl.origin)

    const page = await browser!.context.newPage()
    await page.goto(`${attackerOrigin}/`)
    await page.locator('body[data-done="true"]').waitFor({ state: 'attached' })
    const results = await page.evaluate('window.results')
    expect(results).toEqual({
      // the browser sends a simple request without asking; the server refuses it (403) and the
      // stored profiles below show it did nothing
      'fetch, simple POST with cookies': 'sent, answer unreadable',
      'fetch, JSON POST with cookies': 'blocked',
      'fetch, JSON POST with the leaked token': 'blocked',
      'socket, no token': 'refused',
      'socket, the leaked token': 'refused'
    })
    await screenshot(page, 'serve-attacker-page-refused')
    await page.close()

    expect(await storedProfileNames()).toEqual(['Operator depot'])
    // the console still works, and shows nothing the other page tried to store
    const consolePage = console_.page
    await consolePage.reload()
    await profileItem(consolePage, 'Operator depot').waitFor({ state: 'visible' })
    await expect(consolePage.getByTestId('esu-profile-item').count()).resolves.toBe(1)
    await screenshot(consolePage, 'serve-console-after-attack')
    expect(console_.errors).toEqual([])
  })
})
