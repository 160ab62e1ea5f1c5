// What the operator saves stays: an ESU profile survives a page reload and a server restart on the
// same data dir (the page keeps its token in the tab, so a reload needs no URL). And without this
// run's token, sent as a bearer credential, the contract answers nothing but 401.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import WebSocket from 'ws'
import { SOCKET_PROTOCOL, socketProtocols } from '../../src-shared/serveAuth'
import { startServe, type ServeProcess } from '../support/cli'
import { launchBrowser, openWatchedPage, removeDir, screenshot, tempDir, type Browser } from './support'

let dataDir: string | undefined
let browser: Browser | undefined
const servers: ServeProcess[] = []

async function serve(): Promise<ServeProcess> {
  const server = await startServe(dataDir!)
  servers.push(server)
  return server
}

function esuUrl(server: ServeProcess): string {
  return `${server.url}#/esu`
}

function profileItem(page: Page, name: string) {
  return page.locator(`[data-testid="esu-profile-item"][data-profile-name="${name}"]`)
}

beforeAll(async () => {
  dataDir = tempDir('dv2g-e2e-data-')
  browser = await launchBrowser()
})

afterAll(async () => {
  await browser?.close()
  for (const server of servers) await server.stop()
  removeDir(dataDir)
})

describe('ESU profiles', () => {
  it('survive a page reload and a server restart, and can be deleted after confirmation', async () => {
    const first = await serve()
    const { page, errors } = await openWatchedPage(browser!)
    await page.goto(esuUrl(first))
    await page.getByTestId('view-esu').waitFor({ state: 'visible' })
    await page.getByTestId('esu-profile-empty').waitFor({ state: 'visible' })

    await page.getByTestId('esu-input-cycleLife').fill('4500')
    await page.getByTestId('esu-profile-name').fill('Depot A')
    await page.getByTestId('esu-profile-name').press('Enter')
    await profileItem(page, 'Depot A').waitFor({ state: 'visible' })
    await expect(page.getByTestId('esu-profile-item').count()).resolves.toBe(1)

    await page.reload()
    await profileItem(page, 'Depot A').waitFor({ state: 'visible' })
    // the form starts from the defaults again; loading the profile brings its parameters back
    await expect(page.getByTestId('esu-input-cycleLife').inputValue()).resolves.toBe('3000')
    await profileItem(page, 'Depot A').getByTestId('esu-profile-load').click()
    await expect(page.getByTestId('esu-input-cycleLife').inputValue()).resolves.toBe('4500')
    expect(errors).toEqual([])
    // closed before its server stops, so the reconnect attempts of a dead socket are not counted
    await page.close()

    await first.stop()
    const second = await serve()
    expect(second.url).not.toBe(first.url)
    const restarted = await openWatchedPage(browser!)
    await restarted.page.goto(esuUrl(second))
    await profileItem(restarted.page, 'Depot A').waitFor({ state: 'visible' })
    await expect(profileItem(restarted.page, 'Depot A').textContent()).resolves.toContain('4500 cyc')
    await screenshot(restarted.page, 'esu-profiles-after-restart')

    // the confirmation can be declined with Esc; nothing is deleted then
    const deleteButton = profileItem(restarted.page, 'Depot A').getByTestId('esu-profile-delete')
    await deleteButton.click()
    const confirm = restarted.page.getByTestId('esu-profile-delete-confirm')
    await confirm.waitFor({ state: 'visible' })
    await restarted.page.keyboard.press('Escape')
    await confirm.waitFor({ state: 'hidden' })
    await expect(restarted.page.getByTestId('esu-profile-item').count()).resolves.toBe(1)
    await deleteButton.click()
    await confirm.click()
    await restarted.page.getByTestId('esu-profile-empty').waitFor({ state: 'visible' })
    await restarted.page.reload()
    await restarted.page.getByTestId('esu-profile-empty').waitFor({ state: 'visible' })
    expect(restarted.errors).toEqual([])
    await restarted.page.close()
  })
})

describe('the token', () => {
  it('is required by the contract: /api and /ws answer 401 without it, with an old one, in a cookie or in the URL', async () => {
    const server = servers.at(-1) ?? (await serve())
    const url = new URL(server.url)
    const token = url.searchParams.get('token')!
    const info = (headers: Record<string, string>) =>
      fetch(`${url.origin}/api/app.info`, { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json', ...headers } })

    expect((await info({})).status).toBe(401)
    expect((await info({ Authorization: 'Bearer not-the-token' })).status).toBe(401)
    expect((await info({ Cookie: `dv2g_token=${token}` })).status).toBe(401)
    const first = servers[0]!
    if (first !== server) expect((await info({ Authorization: `Bearer ${new URL(first.url).searchParams.get('token')}` })).status).toBe(401)
    expect(await socketStatus(`ws://${url.host}/ws`, [SOCKET_PROTOCOL])).toBe(401)
    expect(await socketStatus(`ws://${url.host}/ws?token=${token}`, [SOCKET_PROTOCOL])).toBe(401)

    expect((await info({ Authorization: `Bearer ${token}` })).status).toBe(200)
    expect(await socketStatus(`ws://${url.host}/ws`, socketProtocols(token))).toBe(101)
  })
})

/** The HTTP status of a WebSocket upgrade: 101 when it opens, else the refusal's status. */
function socketStatus(address: string, protocols: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(address, protocols)
    const timer = setTimeout(() => {
      socket.terminate()
      reject(new Error(`no answer from ${address} within 10 s`))
    }, 10_000)
    socket.once('open', () => {
      clearTimeout(timer)
      socket.close()
      resolve(101)
    })
    socket.once('unexpected-response', (_request, response) => {
      clearTimeout(timer)
      socket.terminate()
      resolve(response.statusCode ?? 0)
    })
    socket.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
  })
}
