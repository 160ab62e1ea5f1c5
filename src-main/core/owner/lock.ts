// One writer per data dir: the process that owns a data dir (the desktop app, dv2g serve, or a
// CLI command writing on its own) holds dv2g.lock, naming its PID and, for the long-running
// faces, the local channel through which other commands reach it.
import { createHash, randomBytes } from 'node:crypto'
import { closeSync, constants, fstatSync, linkSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { Dv2gError } from '../../../src-shared/errors'

export const LOCK_FILE_NAME = 'dv2g.lock'

const holderSchema = z.object({
  pid: z.number().int().positive(),
  /** what holds it, for the message a refused command prints: "dv2g serve", "desktop app", "dv2g tangle spam" */
  owner: z.string(),
  startedAt: z.string(),
  /** the owner's local channel, or null when it takes no forwarded commands */
  channel: z.string().nullable(),
  /** presented on every channel call: the lock file is readable only by its user (0600) */
  token: z.string()
})

export type LockHolder = z.infer<typeof holderSchema>

/** A data dir held by another live process. */
export class DataDirHeldError extends Dv2gError {
  constructor(
    readonly holder: LockHolder,
    detail: string
  ) {
    super('held', `the data dir is in use by ${holder.owner} (PID ${holder.pid}): ${detail}`)
    this.name = 'DataDirHeldError'
  }
}

export interface DataDirLock {
  readonly path: string
  readonly holder: LockHolder
  /** Removes the lock file if it is still ours. */
  release(): void
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: the process exists but belongs to someone else
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** What a file that claims something (the lock, a takeover guard) says: nothing, a live claim, or a stale one. */
type Claim<T> = { state: 'absent' } | { state: 'live'; value: T } | { state: 'stale'; identity: string }

/**
 * Reads a claim file once. A stale claim is named by its inode and bytes, read through one
 * descriptor: a later file under the same path, even with the same text, is another claim.
 */
function inspectClaim<T extends { pid: number }>(path: string, schema: z.ZodType<T>): Claim<T> {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'absent' }
    throw error
  }
  let text: string
  let ino: number
  try {
    ino = fstatSync(fd).ino
    text = readFileSync(fd, 'utf8')
  } finally {
    closeSync(fd)
  }
  let value: T | undefined
  try {
    value = schema.parse(JSON.parse(text))
  } catch {
    // a lock half-written by a process killed while writing it holds nothing
  }
  if (value && isAlive(value.pid)) return { state: 'live', value }
  return { state: 'stale', identity: createHash('sha256').update(`${ino}\n${text}`).digest('hex').slice(0, 16) }
}

/**
 * Creates path holding content, all at once, or returns false when something is there already:
 * the content goes to a temp file first and is hard-linked in, so no one ever reads a claim half-written.
 */
function createWhole(path: string, content: string): boolean {
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  const fd = openSync(temp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | (constants.O_NOFOLLOW ?? 0), 0o600)
  try {
    try {
      writeSync(fd, content)
    } finally {
      closeSync(fd)
    }
    linkSync(temp, path)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw error
  } finally {
    unlinkSync(temp)
  }
}

/** Removes path only if it still is the stale claim named identity; only a takeover's guard holder calls it. */
function removeIfStill<T extends { pid: number }>(path: string, schema: z.ZodType<T>, identity: string): void {
  const now = inspectClaim(path, schema)
  if (now.state === 'stale' && now.identity === identity) unlinkSync(path)
}

const guardSchema = z.object({ pid: z.number().int().positive() })

/** A chain of guards whose holders died mid-takeover is this deep only after as many crashes. */
const MAX_GUARD_DEPTH = 8

/**
 * The right to remove one stale claim: a guard file named after that claim, created exclusively.
 * A guard left by a holder that died is not removed (two could remove it at once, as they once
 * removed the lock): the next guard is named after it in turn. Returns how to give it up, or
 * undefined while a live process holds it.
 */
function takeGuard(guardPath: string, depth = 0): (() => void) | undefined {
  for (;;) {
    if (createWhole(guardPath, JSON.stringify({ pid: process.pid }))) return () => unlinkSync(guardPath)
    const guard = inspectClaim(guardPath, guardSchema)
    if (guard.state === 'absent') continue
    if (guard.state === 'live' || depth >= MAX_GUARD_DEPTH) return undefined
    const release = takeGuard(`${guardPath}-${guard.identity}`, depth + 1)
    if (!release) return undefined
    return () => {
      // the dead holder's guard, once the claim it was for is gone: no one else removes it
      removeIfStill(guardPath, guardSchema, guard.identity)
      release()
    }
  }
}

/** The live holder of a data dir's lock, or undefined when it is free or its holder died. */
export function readHolder(dataDir: string): LockHolder | undefined {
  const claim = inspectClaim(join(dataDir, LOCK_FILE_NAME), holderSchema)
  return claim.state === 'live' ? claim.value : undefined
}

/** The guard a takeover of the data dir's lock takes first, while the lock is stale: for a look at a takeover cut off half way. */
export function takeoverGuardPath(dataDir: string): string | undefined {
  const path = join(dataDir, LOCK_FILE_NAME)
  const claim = inspectClaim(path, holderSchema)
  return claim.state === 'stale' ? `${path}.takeover-${claim.identity}` : undefined
}

/** a takeover guard is held for a few file operations; waiting this long means something is wrong */
const CLAIM_BOUND_MS = 5000

const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)

/**
 * Takes the data dir for this process, or throws DataDirHeldError naming the live holder.
 * A lock left by a dead process (or torn by one killed while writing it) is taken over, and only
 * ever by one process: whoever removes a stale lock first holds the guard named after that very
 * lock and checks, under it, that the lock is still the one it found stale. A process that
 * found it stale a moment too late can therefore never remove the lock that replaced it.
 */
export function claimDataDir(dataDir: string, owner: string, channel: string | null = null): DataDirLock {
  const path = join(dataDir, LOCK_FILE_NAME)
  const holder: LockHolder = {
    pid: process.pid,
    owner,
    startedAt: new Date().toISOString(),
    channel,
    token: randomBytes(24).toString('base64url')
  }
  const deadline = Date.now() + CLAIM_BOUND_MS
  while (!createWhole(path, JSON.stringify(holder))) {
    const found = inspectClaim(path, holderSchema)
    if (found.state === 'live') throw new DataDirHeldError(found.value, 'it holds the lock')
    if (found.state === 'stale') {
      const release = takeGuard(`${path}.takeover-${found.identity}`)
      if (release) {
        try {
          removeIfStill(path, holderSchema, found.identity)
        } finally {
          release()
        }
        continue
      }
    }
    if (Date.now() > deadline)
      throw new Error(
        `could not take ${path} within ${CLAIM_BOUND_MS / 1000} s: another process is taking over its stale lock and has not finished`
      )
    // another live process is taking the stale lock over this instant: see whose it becomes
    pause(1)
  }
  return {
    path,
    holder,
    release: () => {
      try {
        const current = holderSchema.parse(JSON.parse(readFileSync(path, 'utf8')))
        if (current.pid === holder.pid && current.token === holder.token) unlinkSync(path)
      } catch {
        // gone or replaced: nothing of ours to remove
      }
    }
  }
}
