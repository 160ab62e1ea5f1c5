import { mkdirSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { open, type App } from '../../../../src-main/core/app'
import { startServer, type RunningServer } from '../../../../src-main/server/server'
import { issueEsuCase } from '../../../support/esuCase'
import { useTempDirs } from '../../../support/tempDir'

const tempDir = useTempDirs()
let app: App | undefined
let server: RunningServer | undefined

afterEach(async () => {
  await server?.close()
  app?.close()
  server = app = undefined
})

async function serve(): Promise<RunningServer> {
  const root = tempDir()
  const rendererDir = join(root, 'renderer')
  mkdirSync(rendererDir)
  writeFileSync(join(root, 'secret.txt'), 'beside the console, not part of it')
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>console</title>')
  mkdirSync(join(rendererDir, 'assets'))
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)')
  app = open(tempDir())
  server = await startServer({ app, rendererDir, port: 0 })
  return server
}

interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

function send(s: RunningServer, path: string, options: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: s.port, path, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = ''
      res.on('data', (chunk: Buffer) => (body += chunk.toString()))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.setTimeout(5000, () => req.destroy(new Error('timed out')))
    req.end(options.body)
  })
}

const call = (s: RunningServer, method: string, body: unknown) =>
  send(s, `/api/${method}`, { method: 'POST', body: JSON.stringify(body), headers: { Authorization: `Bearer ${s.token}` } })

describe('serve mode over HTTP', () => {
  it('refuses every request without the token with 401', async () => {
    const s = await serve()
    expect((await send(s, '/')).status).toBe(401)
    expect((await send(s, '/assets/app.js')).status).toBe(401)
    expect((await send(s, '/?token=wrong')).status).toBe(401)
    expect((await send(s, '/api/app.info', { method: 'POST', body: '{}' })).status).toBe(401)
  })

  it('serves the console with the token, sets a cookie for its assets and a strict CSP', async () => {
    const s = await serve()
    const page = await send(s, `/?token=${s.token}`)
    expect(page.status).toBe(200)
    expect(page.body).toContain('<title>console</title>')
    expect(page.headers['content-security-policy']).toContain("script-src 'self'")
    const cookie = String(page.headers['set-cookie']).split(';')[0]!
    expect(cookie).toBe(`dv2g_token=${s.token}`)
    expect((await send(s, '/assets/app.js', { headers: { Cookie: cookie } })).status).toBe(200)
  })

  it('never serves a file outside the console, and refuses foreign Host names', async () => {
    const s = await serve()
    const auth = { Authorization: `Bearer ${s.token}` }
    expect((await send(s, '/../secret.txt', { headers: auth })).status).toBe(404)
    expect((await send(s, '/%2e%2e/secret.txt', { headers: auth })).status).toBe(404)
    expect((await send(s, '/..%2fsecret.txt', { headers: auth })).status).toBe(404)
    expect((await send(s, '/..%5csecret.txt', { headers: auth })).status).toBe(404)
    expect((await send(s, '/', { headers: { ...auth, Host: 'attacker.example:80' } })).status).toBe(403)
  })

  it('answers a contract call, names the field of a bad argument, and keeps serving', async () => {
    const s = await serve()
    const bad = await call(s, 'esu.compute', { ...issueEsuCase, depthOfDischarge: 1.5 })
    expect(bad.status).toBe(400)
    const error = JSON.parse(bad.body).error
    expect(error.code).toBe('invalid_argument')
    expect(error.message).toContain('depthOfDischarge')
    expect(error.fields).toEqual([{ path: 'depthOfDischarge', message: expect.any(String) }])

    const notJson = await send(s, '/api/esu.compute', { method: 'POST', body: '{oops', headers: { Authorization: `Bearer ${s.token}` } })
    expect(notJson.status).toBe(400)
    expect(JSON.parse(notJson.body).error.message).toMatch(/not valid JSON/)
    expect((await call(s, 'no.such.method', {})).status).toBe(404)

    const good = await call(s, 'esu.compute', issueEsuCase)
    expect(good.status).toBe(200)
    expect(JSON.parse(good.body).output.degradationCostPerKWh).toBeCloseTo(0.14236, 5)
  })
})

function connect(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url)
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}

function nextMessage(ws: WebSocket, matches: (m: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no matching message within 5 s')), 5000)
    const onMessage = (data: WebSocket.RawData) => {
      const message = JSON.parse(String(data)) as Record<string, unknown>
      if (!matches(message)) return
      clearTimeout(timer)
      ws.off('message', onMessage)
      resolve(message)
    }
    ws.on('message', onMessage)
  })
}

describe('serve mode over WebSocket', () => {
  it('refuses a connection without the token', async () => {
    const s = await serve()
    await expect(connect(`ws://127.0.0.1:${s.port}/ws`)).rejects.toThrow(/401/)
  })

  it('answers calls by id, reports bad input by field, and pushes events', async () => {
    const s = await serve()
    const ws = await connect(`ws://127.0.0.1:${s.port}/ws?token=${s.token}`)
    try {
      ws.send('not json')
      expect(await nextMessage(ws, (m) => m.id === -1)).toMatchObject({ ok: false, error: { code: 'invalid_argument' } })

      ws.send(JSON.stringify({ type: 'call', id: 1, method: 'esu.saveProfile', input: { name: '', parameters: issueEsuCase } }))
      const refused = await nextMessage(ws, (m) => m.id === 1)
      expect(refused).toMatchObject({ ok: false, error: { fields: [{ path: 'name' }] } })

      const event = nextMessage(ws, (m) => m.type === 'event')
      ws.send(JSON.stringify({ type: 'call', id: 2, method: 'esu.saveProfile', input: { name: 'depot', parameters: issueEsuCase } }))
      expect(await nextMessage(ws, (m) => m.id === 2)).toMatchObject({ ok: true, output: { name: 'depot' } })
      expect(await event).toEqual({ type: 'event', name: 'esu.profilesChanged', payload: { names: ['depot'] } })
    } finally {
      ws.close()
    }
  })
})
