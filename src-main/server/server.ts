// Serve mode: the same contract as the Electron app over HTTP + WebSocket on loopback, so the
// console runs in any browser. Every request needs this run's token.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import { ApiError } from '../../src-shared/contract'
import { CONTENT_SECURITY_POLICY } from '../../src-shared/csp'
import { callMessageSchema, type ServerMessage } from '../../src-shared/wire'
import type { App } from '../core/app'
import { createDispatcher, toErrorBody } from '../core/api'
import { isAllowedHost, isAuthorized, newToken, TOKEN_COOKIE } from './auth'
import { resolveStaticFile, sendFile } from './staticFiles'


const securityHeaders = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin'
}

const MAX_BODY_BYTES = 1 << 20

export interface ServeOptions {
  app: App
  rendererDir: string
  host?: string
  port?: number
  token?: string
}

export interface RunningServer {
  url: string
  port: number
  token: string
  close(): Promise<void>
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const { app, rendererDir } = options
  const host = options.host ?? '127.0.0.1'
  const token = options.token ?? newToken()
  const dispatch = createDispatcher(app)
  let port = options.port ?? 0

  const http = createServer((req, res) => {
    handleHttp(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: toErrorBody(error) })
      else res.destroy()
    })
  })
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_BODY_BYTES })

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (!isAllowedHost(req.headers.host, port, host)) return sendText(res, 403, 'host not allowed')
    if (!isAuthorized(req, url, token)) return sendText(res, 401, 'unauthorized: open the URL with ?token= that dv2g serve printed')

    if (url.pathname.startsWith('/api/')) {
      if (req.method !== 'POST') return sendText(res, 405, 'contract calls are POST')
      const method = decodeURIComponent(url.pathname.slice('/api/'.length))
      try {
        const output = await dispatch(method, await readJsonBody(req))
        return sendJson(res, 200, { ok: true, output })
      } catch (error) {
        const body = toErrorBody(error)
        const status = body.code === 'internal' ? 500 : body.code === 'unknown_method' ? 404 : 400
        return sendJson(res, status, { ok: false, error: body })
      }
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'method not allowed')
    const file = resolveStaticFile(rendererDir, url.pathname)
    if (!file) return sendText(res, 404, 'not found')
    const cookie = `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`
    sendFile(res, file, { ...securityHeaders, 'Set-Cookie': cookie })
  }

  http.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const refuse = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
    }
    if (url.pathname !== '/ws') return refuse('404 Not Found')
    if (!isAllowedHost(req.headers.host, port, host)) return refuse('403 Forbidden')
    if (!isAuthorized(req, url, token)) return refuse('401 Unauthorized')
    sockets.handleUpgrade(req, socket, head, (ws) => serveSocket(ws))
  })

  function serveSocket(ws: WebSocket): void {
    const send = (message: ServerMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message))
    }
    const unsubscribe = app.events.subscribe((name, payload) => send({ type: 'event', name, payload }))
    ws.on('close', unsubscribe)
    ws.on('message', (data) => {
      let raw: unknown
      try {
        raw = JSON.parse(String(data))
      } catch {
        return send({ type: 'result', id: -1, ok: false, error: { code: 'invalid_argument', message: 'message is not valid JSON' } })
      }
      const call = callMessageSchema.safeParse(raw)
      if (!call.success) {
        const message = 'message is not a call: expected {"type":"call","id":<number>,"method":<string>,"input":...}'
        return send({ type: 'result', id: -1, ok: false, error: { code: 'invalid_argument', message } })
      }
      const { id, method, input } = call.data
      dispatch(method, input).then(
        (output) => send({ type: 'result', id, ok: true, output }),
        (error: unknown) => send({ type: 'result', id, ok: false, error: toErrorBody(error) })
      )
    })
  }

  await new Promise<void>((resolvePromise, reject) => {
    http.once('error', reject)
    http.listen(port, host, () => {
      http.off('error', reject)
      resolvePromise()
    })
  })
  port = (http.address() as AddressInfo).port
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host

  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolvePromise) => {
        for (const client of sockets.clients) client.terminate()
        sockets.close()
        http.closeAllConnections()
        http.close(() => resolvePromise())
      })
  }
}

function readJsonBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY_BYTES) {
        reject(new ApiError('invalid_argument', `request body is larger than ${MAX_BODY_BYTES} bytes`))
        req.destroy()
      } else chunks.push(chunk)
    })
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8').trim()
      if (text === '') return resolvePromise(undefined)
      try {
        resolvePromise(JSON.parse(text))
      } catch {
        reject(new ApiError('invalid_argument', 'request body is not valid JSON'))
      }
    })
    req.on('error', reject)
  })
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { ...securityHeaders, 'Content-Type': 'application/json', 'Cache-Control': 'no-store' })
  res.end(JSON.stringify(body))
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...securityHeaders, 'Content-Type': 'text/plain; charset=utf-8' })
  res.end(`${text}\n`)
}
