// Serve mode: the same contract as the Electron app over HTTP + WebSocket, so the console runs in
// any browser. The console's files are public (they are the built renderer, no secret in them);
// the contract needs this run's token, sent by the page itself, from the page's own origin.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import { ApiError, MAX_CALL_BYTES } from '../../src-shared/contract'
import { CONTENT_SECURITY_POLICY } from '../../src-shared/csp'
import { bearerFromProtocols, SOCKET_PROTOCOL } from '../../src-shared/serveAuth'
import { callMessageSchema, type ServerMessage } from '../../src-shared/wire'
import type { App } from '../core/app'
import { createDispatcher, toErrorBody } from '../core/api'
import {
  bearerFromHeader,
  isAllowedHost,
  isAllowedOrigin,
  isLoopbackHost,
  isWildcardHost,
  newToken,
  sameSecret,
  servedHostNames,
  urlHostName
} from './auth'
import { resolveStaticFile, sendFile } from './staticFiles'
import { certificateNames, type TlsIdentity } from './tls'
import { Dv2gError } from '../../src-shared/errors'

const securityHeaders = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin'
}

/** a body or a frame: the contract bounds its inputs so that every call it accepts fits */
const MAX_BODY_BYTES = MAX_CALL_BYTES

export interface ServeOptions {
  app: App
  rendererDir: string
  host?: string
  port?: number
  token?: string
  /** HTTPS and WSS; required for any address but loopback */
  tls?: TlsIdentity
}

export interface RunningServer {
  url: string
  port: number
  token: string
  close(): Promise<void>
}

/** Thrown before binding: serving beyond loopback in clear text would hand the token to the network. */
export class InsecureBindError extends Dv2gError {
  override name = 'InsecureBindError'
  constructor(host: string) {
    super(
      'invalid_argument',
      `serving on ${host} needs --tls-cert FILE and --tls-key FILE (HTTPS and WSS): only loopback may be served without TLS`
    )
  }
}

type Refusal = { status: 400 | 401 | 403 | 404 | 405 | 415; text: string }

const refusals = {
  badTarget: { status: 400, text: 'bad request: the path is not a valid URL path' },
  badEncoding: { status: 400, text: 'bad request: the path has an invalid percent-encoding' },
  host: { status: 403, text: 'forbidden: address the console as 127.0.0.1, localhost, or a name of its certificate' },
  origin: { status: 403, text: 'forbidden: the contract answers only the console page served from this origin' },
  token: { status: 401, text: "unauthorized: send this run's token (printed by dv2g serve) as Authorization: Bearer <token>" },
  socketToken: { status: 401, text: `unauthorized: offer the subprotocols ${SOCKET_PROTOCOL} and dv2g.bearer.<token>` }
} satisfies Record<string, Refusal>

function percentDecoded(pathname: string): string | undefined {
  try {
    return decodeURIComponent(pathname)
  } catch {
    return undefined
  }
}

function requestUrl(req: IncomingMessage): URL | undefined {
  try {
    return new URL(req.url ?? '/', 'http://localhost')
  } catch {
    return undefined
  }
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const { app, rendererDir, tls } = options
  const host = options.host ?? '127.0.0.1'
  if (!tls && !isLoopbackHost(host)) throw new InsecureBindError(host)
  const token = options.token ?? newToken()
  const scheme = tls ? 'https' : 'http'
  const hostNames = servedHostNames(host, tls ? certificateNames(tls.cert) : [])
  const dispatch = createDispatcher(app)

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    // a client that resets mid-request ends its own request, never the process
    req.on('error', () => req.destroy())
    res.on('error', () => res.destroy())
    handleHttp(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: toErrorBody(error) })
      else res.destroy()
    })
  }
  const http = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }, onRequest) : createHttpServer(onRequest)
  // a failed TLS handshake or a malformed request costs that connection only
  http.on('tlsClientError', (_error: Error, socket: Duplex) => socket.destroy())
  http.on('clientError', (_error: Error, socket: Duplex) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
    else socket.destroy()
  })
  const sockets = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_BODY_BYTES,
    // answer with the protocol we speak, never echo the offered bearer token back
    handleProtocols: (offered) => (offered.has(SOCKET_PROTOCOL) ? SOCKET_PROTOCOL : false)
  })

  const hostAllowed = (req: IncomingMessage) => isAllowedHost(req.headers.host, scheme, req.socket.localPort, hostNames)

  /** The checks of every contract call and upgrade, in order: who it addresses, who sent it, its token. */
  function refuseContract(req: IncomingMessage, presentedToken: string | undefined, tokenRefusal: Refusal): Refusal | undefined {
    if (!hostAllowed(req)) return refusals.host
    if (!isAllowedOrigin(req.headers.origin, scheme, req.headers.host!)) return refusals.origin
    if (!sameSecret(presentedToken, token)) return tokenRefusal
    return undefined
  }

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = requestUrl(req)
    if (!url) return sendRefusal(res, refusals.badTarget)

    if (url.pathname.startsWith('/api/')) {
      const refusal = refuseContract(req, bearerFromHeader(req.headers.authorization), refusals.token)
      if (refusal) return sendRefusal(res, refusal)
      if (req.method !== 'POST') return sendText(res, 405, 'contract calls are POST', { Allow: 'POST' })
      if (!isJson(req.headers['content-type'])) return sendText(res, 415, 'contract calls carry Content-Type: application/json')
      const method = percentDecoded(url.pathname.slice('/api/'.length))
      if (method === undefined) return sendRefusal(res, refusals.badEncoding)
      try {
        const output = await dispatch(method, await readJsonBody(req))
        return sendJson(res, 200, { ok: true, output })
      } catch (error) {
        const body = toErrorBody(error)
        const status = body.code === 'internal' ? 500 : body.code === 'unknown_method' ? 404 : 400
        return sendJson(res, status, { ok: false, error: body })
      }
    }

    if (!hostAllowed(req)) return sendRefusal(res, refusals.host)
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'method not allowed', { Allow: 'GET, HEAD' })
    const path = percentDecoded(url.pathname)
    if (path === undefined) return sendRefusal(res, refusals.badEncoding)
    const file = resolveStaticFile(rendererDir, path)
    if (!file) return sendText(res, 404, 'not found')
    sendFile(res, file, securityHeaders)
  }

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // a client that resets mid-handshake must not take the server down
    socket.on('error', () => socket.destroy())
    const refuse = ({ status, text }: Refusal) => {
      const reason = {
        400: 'Bad Request',
        401: 'Unauthorized',
        403: 'Forbidden',
        404: 'Not Found',
        405: 'Method Not Allowed',
        415: 'Unsupported Media Type'
      }[status]
      const body = `${text}\n`
      socket.end(
        `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
      )
    }
    const url = requestUrl(req)
    if (!url) return refuse(refusals.badTarget)
    if (url.pathname !== '/ws') return refuse({ status: 404, text: 'not found' })
    const refusal = refuseContract(req, bearerFromProtocols(req.headers['sec-websocket-protocol']), refusals.socketToken)
    if (refusal) return refuse(refusal)
    sockets.handleUpgrade(req, socket, head, (ws) => serveSocket(ws))
  })
  function serveSocket(ws: WebSocket): void {
    const send = (message: ServerMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message))
    }
    const unsubscribe = app.events.subscribe((name, payload) => send({ type: 'event', name, payload }))
    ws.on('close', unsubscribe)
    // a frame over the limit or a text frame that is not UTF-8: ws sends the close (1009, 1007)
    // and ends the connection itself; without a listener the error would end the process
    ws.on('error', () => {})
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
    http.listen(options.port ?? 0, host, () => {
      http.off('error', reject)
      resolvePromise()
    })
  })
  const port = (http.address() as AddressInfo).port
  const shownHost = isWildcardHost(host) ? '127.0.0.1' : urlHostName(host)

  return {
    url: `${scheme}://${shownHost}:${port}/?token=${token}`,
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

/** application/json, with or without parameters such as charset */
function isJson(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'application/json'
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

function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...securityHeaders, ...headers, 'Content-Type': 'text/plain; charset=utf-8' })
  res.end(`${text}\n`)
}

function sendRefusal(res: ServerResponse, refusal: Refusal): void {
  sendText(res, refusal.status, refusal.text)
}
