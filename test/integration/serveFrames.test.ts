// What a client of dv2g serve can send over its socket and body: a frame too large, or a text
// frame that is not UTF-8, closes that connection and nothing else; the largest call the contract
// accepts fits what the transport carries.
import { request } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { MAX_CALL_BYTES, MAX_IMPORT_PATHS, MAX_PATH_CHARS } from '../../src-shared/contract'
import { socketProtocols } from '../../src-shared/serveAuth'
import { startServe, type ServeProcess } from '../support/cli'
import { useTempDirs } from '../support/tempDir'

const tempDir = useTempDirs()
const serving: ServeProcess[] = []
afterEach(async () => {
  await Promise.all(serving.splice(0).map((s) => s.stop()))
})

type Result = { type: 'result'; id: number; ok: boolean; output?: unknown; error?: { code: string; message: string } }

function openSocket(server: ServeProcess): Promise<WebSocket> {
  const url = new URL(server.url)
  const ws = new WebSocket(`ws://${url.host}/ws`, socketProtocols(url.searchParams.get('token')!), { maxPayload: 64 << 20 })
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}

/** The close code the server ends the connection with. */
function closed(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => ws.once('close', (code) => resolve(code)))
}

/** Sends one call and resolves with its result, skipping the events pushed meanwhile. */
function callOver(ws: WebSocket, id: number, method: string, input?: unknown): Promise<Result> {
  return new Promise((resolve, reject) => {
    const onMessage = (data: WebSocket.RawData) => {
      const message = JSON.parse(String(data)) as Result
      if (message.type !== 'result' || message.id !== id) return
      ws.off('message', onMessage)
      resolve(message)
    }
    ws.on('message', onMessage)
    ws.once('close', (code) => reject(new Error(`the socket closed (${code}) before the answer to ${method}`)))
    ws.send(JSON.stringify({ type: 'call', id, method, ...(input === undefined ? {} : { input }) }))
  })
}

/** app.info over a fresh connection: the process is alive and serving. */
async function answersAppInfo(server: ServeProcess): Promise<void> {
  const ws = await openSocket(server)
  try {
    const info = await callOver(ws, 1, 'app.info')
    expect(info.ok, JSON.stringify(info.error)).toBe(true)
  } finally {
    ws.close()
  }
}

function postBody(server: ServeProcess, method: string, body: string): Promise<number> {
  const url = new URL(server.url)
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: `/api/${method}`,
        method: 'POST',
        agent: false,
        headers: {
          authorization: `Bearer ${url.searchParams.get('token')}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body)
        }
      },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      }
    )
    // the server may refuse the body before it has all of it and close the connection
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' || error.code === 'EPIPE' ? resolve(-1) : reject(error)))
    req.end(body)
  })
}

describe('dv2g serve against frames it cannot take', { timeout: 240_000 }, () => {
  it('closes a connection that sends a frame over the limit or a text frame that is not UTF-8, and keeps serving', async () => {
    const server = await startServe(tempDir())
    serving.push(server)

    const oversized = await openSocket(server)
    const oversizedClosed = closed(oversized)
    oversized.send('x'.repeat(MAX_CALL_BYTES + 1))
    expect(await oversizedClosed).toBe(1009) // message too big
    await answersAppInfo(server)

    const notUtf8 = await openSocket(server)
    const notUtf8Closed = closed(notUtf8)
    notUtf8.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false })
    expect(await notUtf8Closed).toBe(1007) // invalid frame payload data
    await answersAppInfo(server)

    // the same over HTTP: a body over the limit is refused, the process lives
    const status = await postBody(server, 'app.info', `"${'x'.repeat(MAX_CALL_BYTES + 1)}"`)
    expect([400, 413, -1]).toContain(status)
    await answersAppInfo(server)
    expect(server.child.exitCode).toBeNull()
  })

  it('answers the largest meter.import the contract accepts, over the socket and over HTTP', async () => {
    const server = await startServe(tempDir())
    serving.push(server)
    // every path at its longest, in a character of three UTF-8 bytes: the most bytes a valid call takes
    const paths = Array.from({ length: MAX_IMPORT_PATHS }, (_, i) => `/${String(i).padStart(4, '0')}${'€'.repeat(MAX_PATH_CHARS - 5)}`)
    const input = { paths, timeZone: 'Europe/Amsterdam' }
    expect(Buffer.byteLength(JSON.stringify(input))).toBeGreaterThan(1 << 20)

    const ws = await openSocket(server)
    const answer = await callOver(ws, 7, 'meter.import', input)
    ws.close()
    // no such files: the answer is about them, not about the transport
    if (answer.ok)
      expect(
        (answer.output as { skipped: unknown[]; files: unknown[] }).skipped.length + (answer.output as { files: unknown[] }).files.length
      ).toBe(MAX_IMPORT_PATHS)
    else expect(answer.error!.message).not.toMatch(/larger than|too big|payload/i)

    const status = await postBody(server, 'meter.import', JSON.stringify(input))
    expect([200, 400]).toContain(status)
    await answersAppInfo(server)
  })
})
