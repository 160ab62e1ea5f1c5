// The local channel of a data dir's owner: a Unix socket (a named pipe on Windows) that only its
// user can open, speaking one JSON object per line. A request names a writer operation; the
// owner answers with progress lines, then one result. Every request carries the lock's token.
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, unlinkSync } from 'node:fs'
import { createConnection, createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { isAbsolute, join } from 'node:path'
import { z } from 'zod'
import type { LockHolder } from './lock'
import { Dv2gError, type RefusalOptions } from '../../../src-shared/errors'

/** Unix socket paths are limited to about 104 bytes; a longer data dir path gets one in a private folder. */
const MAX_SOCKET_PATH = 100
/** a request is a few fields; a result (an import's rejected lines) stays well under this */
const MAX_LINE_BYTES = 16 << 20

/**
 * Where the owner of a data dir listens. Beside the data dir when the path fits; otherwise in a
 * folder only this user can enter, under a random name: a name in the shared temp dir that anyone
 * could compute let another account take it first, and serve could not start. Clients never
 * compute it: they read it from the lock.
 */
export function channelPath(dataDir: string, platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  const name = `dv2g-${randomBytes(12).toString('hex')}`
  if (platform === 'win32') return `\\\\.\\pipe\\${name}`
  const inDir = join(dataDir, 'dv2g.sock')
  if (Buffer.byteLength(inDir) <= MAX_SOCKET_PATH) return inDir
  return join(privateSocketDir(env, `${name}.sock`), `${name}.sock`)
}

/** The user's runtime dir if it is truly theirs, else a folder of theirs in the temp dir, else a fresh one. */
function privateSocketDir(env: NodeJS.ProcessEnv, socketName: string): string {
  const fits = (dir: string) => Buffer.byteLength(join(dir, socketName)) <= MAX_SOCKET_PATH
  const runtime = env.XDG_RUNTIME_DIR
  if (runtime && isAbsolute(runtime) && fits(runtime) && isPrivateDir(runtime)) return runtime
  const temp = env.TMPDIR || tmpdir()
  const perUser = join(temp, `dv2g-${process.getuid?.() ?? 'user'}`)
  if (fits(perUser)) {
    try {
      mkdirSync(perUser, { mode: 0o700 })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    if (isPrivateDir(perUser)) return perUser
  }
  // taken by another account, or a link: a folder no one can have made in advance
  return mkdtempSync(join(temp, 'dv2g-'))
}

/** A real folder (not a link), owned by this user, that no one else may enter. */
function isPrivateDir(dir: string): boolean {
  let entry
  try {
    entry = lstatSync(dir)
  } catch {
    return false
  }
  const uid = process.getuid?.()
  return entry.isDirectory() && (uid === undefined || entry.uid === uid) && (entry.mode & 0o077) === 0
}

const requestSchema = z.object({ id: z.number().int(), token: z.string(), operation: z.string(), input: z.unknown() }).strict()

export interface ChannelError {
  message: string
  /** a refusal of the input (the CLI exits 2), as opposed to a failure (exit 1) */
  refused: boolean
  /** the input the refusal is about */
  field?: string
}

type Reply = { id: number; progress: string } | { id: number; ok: true; output: unknown } | { id: number; ok: false; error: ChannelError }

export type ChannelHandler = (operation: string, input: unknown, progress: (line: string) => void) => Promise<unknown>

/** What the handler's errors become on the wire. */
export type ErrorMapper = (error: unknown) => ChannelError

/** Splits a byte stream into lines, refusing one longer than the limit. */
function onLines(socket: Socket, limit: number, each: (line: string) => void, tooLong: () => void): void {
  // the line being read, in the chunks it came in: a request of megabytes (tangle.submit) comes
  // in hundreds, and joining and searching all of it again at each one took time quadratic in its size
  let parts: string[] = []
  let pendingLength = 0
  socket.setEncoding('utf8')
  socket.on('data', (chunk: string) => {
    let start = 0
    for (let newline = chunk.indexOf('\n'); newline >= 0; newline = chunk.indexOf('\n', start)) {
      parts.push(chunk.slice(start, newline))
      const line = parts.join('')
      parts = []
      pendingLength = 0
      start = newline + 1
      if (line.trim()) each(line)
    }
    if (start < chunk.length) {
      parts.push(chunk.slice(start))
      pendingLength += chunk.length - start
    }
    if (pendingLength > limit) {
      parts = []
      pendingLength = 0
      tooLong()
    }
  })
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

export interface RunningChannel {
  path: string
  close(): Promise<void>
}

/** Listens on the holder's channel; the socket file is created readable and writable by its user only. */
export async function serveChannel(holder: LockHolder, handle: ChannelHandler, mapError: ErrorMapper): Promise<RunningChannel> {
  const path = holder.channel
  if (!path) throw new Error('this lock names no channel')
  const server: Server = createServer((socket) => {
    const reply = (message: Reply) => {
      if (socket.destroyed) return
      let line = JSON.stringify(message)
      // the caller would drop a longer line unread: it learns what happened instead
      if (Buffer.byteLength(line) > MAX_LINE_BYTES) {
        const error = {
          message: `the operation ran, but its result (${Buffer.byteLength(line)} bytes) is over the channel's ${MAX_LINE_BYTES}-byte limit: look at what it did in the data dir`,
          refused: false
        }
        line = JSON.stringify({ id: message.id, ok: false, error } satisfies Reply)
      }
      socket.write(`${line}\n`)
    }
    socket.on('error', () => socket.destroy())
    onLines(
      socket,
      MAX_LINE_BYTES,
      (line) => {
        let request: z.infer<typeof requestSchema>
        try {
          request = requestSchema.parse(JSON.parse(line))
        } catch {
          reply({
            id: -1,
            ok: false,
            error: { message: 'not a channel request: {"id","token","operation","input"} expected', refused: true }
          })
          return
        }
        if (!sameSecret(request.token, holder.token)) {
          reply({ id: request.id, ok: false, error: { message: 'wrong channel token', refused: true } })
          return socket.end()
        }
        handle(request.operation, request.input, (progress) => reply({ id: request.id, progress })).then(
          (output) => reply({ id: request.id, ok: true, output }),
          (error: unknown) => reply({ id: request.id, ok: false, error: mapError(error) })
        )
      },
      () => {
        reply({ id: -1, ok: false, error: { message: `request longer than ${MAX_LINE_BYTES} bytes`, refused: true } })
        socket.destroy()
      }
    )
  })
  if (process.platform !== 'win32') removeStaleSocket(path)
  // the socket file takes the umask's mode when it is bound: 0600 from the first instant
  const umask = process.platform === 'win32' ? undefined : process.umask(0o177)
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(path, () => {
        server.off('error', reject)
        resolve()
      })
    })
  } finally {
    if (umask !== undefined) process.umask(umask)
  }
  if (process.platform !== 'win32') chmodSync(path, 0o600)
  return {
    path,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        // connections in flight end with the owner
        server.unref()
      })
  }
}

/** A socket left by a killed owner would make listen fail with EADDRINUSE. */
function removeStaleSocket(path: string): void {
  try {
    unlinkSync(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
}

/** The channel could not be reached: the caller reports the holder instead. */
export class ChannelUnreachableError extends Dv2gError {
  constructor(message: string, options: RefusalOptions = {}) {
    super(options.code ?? 'unavailable', message, options)
  }
}

/** The owner answered, but with a line over the limit: the operation may well have run. */
export class ChannelAnswerTooLongError extends Dv2gError {
  override name = 'ChannelAnswerTooLongError'
  constructor(message: string) {
    super('unavailable', message)
  }
}

/** A refusal or failure the owner reported for the operation. */
export class ChannelCallError extends Error {
  constructor(readonly detail: ChannelError) {
    super(detail.message)
    this.name = 'ChannelCallError'
  }
}

/** Runs one operation on the owner, passing its progress lines on; bounded wait for the connection only. */
export function callChannel(
  holder: LockHolder,
  operation: string,
  input: unknown,
  onProgress: (line: string) => void,
  connectTimeoutMs = 5000
): Promise<unknown> {
  const path = holder.channel
  if (!path) return Promise.reject(new ChannelUnreachableError('it takes no forwarded commands'))
  return new Promise((resolve, reject) => {
    const socket = createConnection(path)
    let settled = false
    const finish = (work: () => void) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      work()
    }
    const timer = setTimeout(
      () => finish(() => reject(new ChannelUnreachableError(`its channel ${path} did not answer within ${connectTimeoutMs} ms`))),
      connectTimeoutMs
    )
    socket.on('connect', () => {
      clearTimeout(timer)
      socket.write(`${JSON.stringify({ id: 1, token: holder.token, operation, input })}\n`)
    })
    socket.on('error', (error) =>
      finish(() =>
        reject(
          new ChannelUnreachableError(`its channel ${path} cannot be reached (${(error as NodeJS.ErrnoException).code ?? error.message})`)
        )
      )
    )
    socket.on('close', () => finish(() => reject(new ChannelUnreachableError('it closed its channel before answering'))))
    onLines(
      socket,
      MAX_LINE_BYTES,
      (line) => {
        const reply = JSON.parse(line) as Reply
        if ('progress' in reply) return onProgress(reply.progress)
        finish(() => (reply.ok ? resolve(reply.output) : reject(new ChannelCallError(reply.error))))
      },
      () => finish(() => reject(new ChannelAnswerTooLongError(`its answer was over the channel's ${MAX_LINE_BYTES}-byte limit`)))
    )
  })
}
