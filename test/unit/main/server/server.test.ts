import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { open, type App } from '../../../../src-main/core/app'
import { InsecureBindError, startServer, type RunningServer, type ServeOptions } from '../../../../src-main/server/server'
import { readTlsIdentity, TlsFileError } from '../../../../src-main/server/tls'
import { socketProtocols, SOCKET_PROTOCOL } from '../../../../src-shared/serveAuth'
import { referenceEsuCase } from '../../../support/esuCase'
import { selfSignedCert } from '../../../support/selfSignedCert'
import { useTempDirs } from '../../../support/tempDir'

const tempDir = useTempDirs()
let app: App | undefined
let server: RunningServer | undefined

afterEach(async () => {
  await server?.close()
  app?.close()
  server = app = undefined
})

async function serve(options: Partial<ServeOptions> = {}): Promise<RunningServer> {
  const root = tempDir()
  const rendererDir = join(root, 'renderer')
  mkdirSync(rendererDir)
  writeFileSync(join(root, 'secret.txt'), 'beside the console, not part of it')
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>console</title>')
  mkdirSync(join(rendererDir, 'assets'))
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)')
  app = open(tempDir())
  server = await startServer({ app, rendererDir, port: 0, ...options })
  return server
}

interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

interface SendOptions {
  method?: string
  body?: string
  headers?: Record<string, string>
  /** the CA to trust: sends over HTTPS */
  ca?: Buffer
}

/** A request as curl would send it: no Origin, no cookie, unless a test adds them. */
function send(s: RunningServer, path: string, options: SendOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const request = options.ca ? httpsRequest : httpRequest
    const req = request(
      { host: '127.0.0.1', port: s.port, path, method: options.method ?? 'GET', headers: options.headers, ca: options.ca },
      (res) => {
        let body = ''
        res.on('data', (chunk: Buffer) => (body += chunk.toString()))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
      }
    )
    req.on('error', reject)
    req.setTimeout(5000, () => req.destroy(new Error('timed out')))
    req.end(options.body)
  })
}

const origin = (s: RunningServer) => new URL(s.url).origin
const bearer = (s: RunningServer) => ({ Authorization: `Bearer ${s.token}` })
const json = { 'Content-Type': 'application/json' }

const call = (s: RunningServer, method: string, body: unknown, headers: Record<string, string> = {}) =>
  send(s, `/api/${method}`, { method: 'POST', body: JSON.stringify(body), headers: { ...bearer(s), ...json, ...headers } })

describe('serve mode over HTTP', () => {
  it('serves the console files to anyone who names it by a local host, with a strict CSP and no cookie', async () => {
    const s = await serve()
    const page = await send(s, '/')
    expect(page.status).toBe(200)
    expect(page.body).toContain('<title>console</title>')
    expect(page.headers['content-security-policy']).toContain("script-src 'self'")
    expect(page.headers['set-cookie']).toBeUndefined()
    expect((await send(s, `/?token=${s.token}`)).headers['set-cookie']).toBeUndefined()
    expect((await send(s, '/assets/app.js')).status).toBe(200)
    expect((await send(s, '/', { headers: { Host: 'attacker.example:80' } })).status).toBe(403)
    expect((await send(s, '/', { headers: { Host: `attacker.example:${s.port}` } })).status).toBe(403)
    expect((await send(s, '/', { headers: { Host: `localhost:${s.port}` } })).status).toBe(200)
  })

  it('never serves a file outside the console', async () => {
    const s = await serve()
    expect((await send(s, '/../secret.txt')).status).toBe(404)
    expect((await send(s, '/%2e%2e/secret.txt')).status).toBe(404)
    expect((await send(s, '/..%2fsecret.txt')).status).toBe(404)
    expect((await send(s, '/..%5csecret.txt')).status).toBe(404)
  })

  it('answers a contract call only to the bearer token: a cookie, a query token or a wrong token get 401', async () => {
    const s = await serve()
    const body = JSON.stringify({})
    const post = (headers: Record<string, string>, path = '/api/app.info') =>
      send(s, path, { method: 'POST', body, headers: { ...json, ...headers } })
    expect((await post({})).status).toBe(401)
    expect((await post({ Cookie: `dv2g_token=${s.token}` })).status).toBe(401)
    expect((await post({ Cookie: `token=${s.token}` })).status).toBe(401)
    expect((await post({}, `/api/app.info?token=${s.token}`)).status).toBe(401)
    expect((await post({ Authorization: 'Bearer wrong' })).status).toBe(401)
    expect((await post({ Authorization: `Basic ${s.token}` })).status).toBe(401)
    const refused = await post({ Cookie: `dv2g_token=${s.token}` })
    expect(refused.body).toMatch(/Authorization: Bearer/)
    expect((await post(bearer(s))).status).toBe(200)
  })

  it('refuses a contract call from a foreign Origin with 403, even with the token', async () => {
    const s = await serve()
    const port = s.port
    for (const foreign of [
      `http://127.0.0.1:${port + 1}`,
      'http://localhost:1',
      'http://attacker.example',
      'null',
      `https://127.0.0.1:${port}`
    ]) {
      const reply = await call(s, 'app.info', {}, { Origin: foreign })
      expect({ foreign, status: reply.status }).toEqual({ foreign, status: 403 })
    }
    // a browser's preflight from another page gets no permission either
    const preflight = await send(s, '/api/wallet.send', {
      method: 'OPTIONS',
      headers: { Origin: `http://127.0.0.1:${port + 1}`, 'Access-Control-Request-Method': 'POST' }
    })
    expect(preflight.status).toBe(403)
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined()

    expect((await call(s, 'app.info', {}, { Origin: origin(s) })).status).toBe(200)
    expect((await call(s, 'app.info', {}, { Origin: `http://localhost:${port}`, Host: `localhost:${port}` })).status).toBe(200)
    expect((await call(s, 'app.info', {})).status).toBe(200)
  })

  it('takes contract calls only as POST with a JSON body, and a bad percent-encoding is a 400', async () => {
    const s = await serve()
    expect((await send(s, '/api/app.info', { headers: bearer(s) })).status).toBe(405)
    const untyped = await send(s, '/api/app.info', { method: 'POST', body: '{}', headers: bearer(s) })
    expect(untyped.status).toBe(415)
    const asText = await send(s, '/api/app.info', { method: 'POST', body: '{}', headers: { ...bearer(s), 'Content-Type': 'text/plain' } })
    expect(asText.status).toBe(415)
    const form = await send(s, '/api/app.info', {
      method: 'POST',
      body: 'a=1',
      headers: { ...bearer(s), 'Content-Type': 'application/x-www-form-urlencoded' }
    })
    expect(form.status).toBe(415)
    const withCharset = await send(s, '/api/app.info', {
      method: 'POST',
      body: '{}',
      headers: { ...bearer(s), 'Content-Type': 'application/json; charset=utf-8' }
    })
    expect(withCharset.status).toBe(200)

    const badMethodName = await call(s, '%E0%A4%A', {})
    expect(badMethodName.status).toBe(400)
    expect(badMethodName.body).toMatch(/percent-encoding/)
    // the gates come first: without the token, even a malformed call is just unauthorized
    expect((await send(s, '/api/%E0%A4%A', { method: 'POST', body: '{}', headers: json })).status).toBe(401)
    expect((await send(s, '/assets/%E0%A4%A.js')).status).toBe(400)
    expect((await call(s, 'app.info', {})).status).toBe(200)
  })

  it('answers a contract call, names the field of a bad argument, and keeps serving', async () => {
    const s = await serve()
    const bad = await call(s, 'esu.compute', { ...referenceEsuCase, depthOfDischarge: 1.5 })
    expect(bad.status).toBe(400)
    const error = JSON.parse(bad.body).error
    expect(error.code).toBe('invalid_argument')
    expect(error.message).toContain('depthOfDischarge')
    expect(error.fields).toEqual([{ path: 'depthOfDischarge', message: expect.any(String) }])

    const notJson = await send(s, '/api/esu.compute', { method: 'POST', body: '{oops', headers: { ...bearer(s), ...json } })
    expect(notJson.status).toBe(400)
    expect(JSON.parse(notJson.body).error.message).toMatch(/not valid JSON/)
    expect((await call(s, 'no.such.method', {})).status).toBe(404)

    const good = await call(s, 'esu.compute', referenceEsuCase)
    expect(good.status).toBe(200)
    expect(JSON.parse(good.body).output.degradationCostPerKWh).toBeCloseTo(0.14236, 5)
  })
})

interface ConnectOptions {
  protocols?: string[]
  headers?: Record<string, string>
  ca?: Buffer
}

function connect(url: string, options: ConnectOptions = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options.protocols ?? [], { headers: options.headers, ca: options.ca })
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}

/** The HTTP status of an upgrade: 101 when the socket opens, else the refusal's status. */
function upgradeStatus(url: string, options: ConnectOptions = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options.protocols ?? [], { headers: options.headers })
    ws.once('open', () => {
      ws.close()
      resolve(101)
    })
    ws.once('unexpected-response', (_req, res) => {
      ws.terminate()
      resolve(res.statusCode ?? 0)
    })
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
  it('opens only with the token offered as a subprotocol: none, a query token or a cookie get 401', async () => {
    const s = await serve()
    const ws = `ws://127.0.0.1:${s.port}/ws`
    expect(await upgradeStatus(ws)).toBe(401)
    expect(await upgradeStatus(`${ws}?token=${s.token}`, { protocols: [SOCKET_PROTOCOL] })).toBe(401)
    expect(await upgradeStatus(ws, { protocols: [SOCKET_PROTOCOL], headers: { Cookie: `dv2g_token=${s.token}` } })).toBe(401)
    expect(await upgradeStatus(ws, { protocols: socketProtocols('wrong') })).toBe(401)
    expect(await upgradeStatus(ws, { protocols: socketProtocols(s.token) })).toBe(101)
  })

  it('refuses the upgrade from a foreign Origin or Host with 403, even with the token', async () => {
    const s = await serve()
    const ws = `ws://127.0.0.1:${s.port}/ws`
    const protocols = socketProtocols(s.token)
    expect(await upgradeStatus(ws, { protocols, headers: { Origin: `http://127.0.0.1:${s.port + 1}` } })).toBe(403)
    expect(await upgradeStatus(ws, { protocols, headers: { Origin: 'http://attacker.example' } })).toBe(403)
    expect(await upgradeStatus(ws, { protocols, headers: { Origin: 'null' } })).toBe(403)
    expect(await upgradeStatus(ws, { protocols, headers: { Host: `rebound.example:${s.port}` } })).toBe(403)
    expect(await upgradeStatus(ws, { protocols, headers: { Origin: origin(s) } })).toBe(101)
  })

  it('speaks dv2g.v1 and never echoes the token back', async () => {
    const s = await serve()
    const ws = await connect(`ws://127.0.0.1:${s.port}/ws`, { protocols: socketProtocols(s.token) })
    try {
      expect(ws.protocol).toBe(SOCKET_PROTOCOL)
    } finally {
      ws.close()
    }
  })

  it('answers calls by id, reports bad input by field, and pushes events', async () => {
    const s = await serve()
    const ws = await connect(`ws://127.0.0.1:${s.port}/ws`, { protocols: socketProtocols(s.token), headers: { Origin: origin(s) } })
    try {
      ws.send('not json')
      expect(await nextMessage(ws, (m) => m.id === -1)).toMatchObject({ ok: false, error: { code: 'invalid_argument' } })

      ws.send(JSON.stringify({ type: 'call', id: 1, method: 'esu.saveProfile', input: { name: '', parameters: referenceEsuCase } }))
      const refused = await nextMessage(ws, (m) => m.id === 1)
      expect(refused).toMatchObject({ ok: false, error: { fields: [{ path: 'name' }] } })

      const event = nextMessage(ws, (m) => m.type === 'event')
      ws.send(JSON.stringify({ type: 'call', id: 2, method: 'esu.saveProfile', input: { name: 'depot', parameters: referenceEsuCase } }))
      expect(await nextMessage(ws, (m) => m.id === 2)).toMatchObject({ ok: true, output: { name: 'depot' } })
      expect(await event).toEqual({ type: 'event', name: 'esu.profilesChanged', payload: { names: ['depot'] } })
    } finally {
      ws.close()
    }
  })
})

describe('serve mode beyond loopback', () => {
  it('refuses to bind any other address without TLS, before binding anything', async () => {
    await expect(serve({ host: '0.0.0.0' })).rejects.toBeInstanceOf(InsecureBindError)
    app?.close()
    app = undefined
    await expect(serve({ host: '192.0.2.1' })).rejects.toThrow('serving on 192.0.2.1 needs --tls-cert FILE and --tls-key FILE')
  })

  it('serves HTTPS and WSS with a certificate, checking Origin against the https origin', async () => {
    const { certFile, keyFile } = selfSignedCert(tempDir())
    const ca = readFileSync(certFile)
    const s = await serve({ tls: readTlsIdentity(certFile, keyFile) })
    expect(s.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/\?token=/)

    expect((await send(s, '/', { ca })).status).toBe(200)
    const info = await send(s, '/api/app.info', { method: 'POST', body: '{}', headers: { ...bearer(s), ...json, Origin: origin(s) }, ca })
    expect(info.status).toBe(200)
    const clearTextOrigin = await send(s, '/api/app.info', {
      method: 'POST',
      body: '{}',
      headers: { ...bearer(s), ...json, Origin: `http://127.0.0.1:${s.port}` },
      ca
    })
    expect(clearTextOrigin.status).toBe(403)
    // the certificate's names address the server too
    expect((await send(s, '/', { ca, headers: { Host: `localhost:${s.port}` } })).status).toBe(200)

    const ws = await connect(`wss://127.0.0.1:${s.port}/ws`, { protocols: socketProtocols(s.token), headers: { Origin: origin(s) }, ca })
    try {
      ws.send(JSON.stringify({ type: 'call', id: 7, method: 'esu.compute', input: referenceEsuCase }))
      expect(await nextMessage(ws, (m) => m.id === 7)).toMatchObject({
        ok: true,
        output: { lifetimeThroughputKWh: expect.closeTo(57600, 6) }
      })
    } finally {
      ws.close()
    }
  })

  it('names the file of a certificate and key that do not belong together, or cannot be read', () => {
    const dir = tempDir()
    const first = selfSignedCert(dir, 'first')
    const second = selfSignedCert(dir, 'second')
    expect(() => readTlsIdentity(first.certFile, second.keyFile)).toThrow(
      new TlsFileError(`--tls-key ${second.keyFile}: is not the key of the certificate in ${first.certFile}`)
    )
    expect(() => readTlsIdentity(first.keyFile, first.keyFile)).toThrow(`--tls-cert ${first.keyFile}: not a PEM certificate`)
    expect(() => readTlsIdentity(join(dir, 'missing.crt'), first.keyFile)).toThrow(/--tls-cert .*missing\.crt: cannot be read \(ENOENT\)/)
  })
})
