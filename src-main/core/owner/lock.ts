// One writer per data dir: the process that owns a data dir (the desktop app, dv2g serve, or a
// CLI command writing on its own) holds dv2g.lock, naming its PID and, for the long-running
// faces, the local channel through which other commands reach it.
import { randomBytes } from 'node:crypto'
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'

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
export class DataDirHeldError extends Error {
  constructor(
    readonly holder: LockHolder,
    detail: string
  ) {
    super(`the data dir is in use by ${holder.owner} (PID ${holder.pid}): ${detail}`)
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

/** The live holder of a data dir's lock, or undefined when it is free or its holder died. */
export function readHolder(dataDir: string): LockHolder | undefined {
  let text: string
  try {
    text = readFileSync(join(dataDir, LOCK_FILE_NAME), 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  let holder: LockHolder
  try {
    holder = holderSchema.parse(JSON.parse(text))
  } catch {
    // a lock half-written by a process killed while writing it holds nothing
    return undefined
  }
  return isAlive(holder.pid) ? holder : undefined
}

/**
 * Takes the data dir for this process, or throws DataDirHeldError naming the live holder.
 * A lock left by a dead process is taken over. (Two processes taking over the same stale lock
 * at the same instant could both remove it; the exclusive create below still lets only one in.)
 */
export function claimDataDir(dataDir: string, owner: string, channel: string | null = null): DataDirLock {
  const path = join(dataDir, LOCK_FILE_NAME)
  const holder: LockHolder = { pid: process.pid, owner, startedAt: new Date().toISOString(), channel, token: randomBytes(24).toString('base64url') }
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number
    try {
      fd = openSync(path, 'wx', 0o600)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const live = readHolder(dataDir)
      if (live) throw new DataDirHeldError(live, 'it holds the lock')
      try {
        unlinkSync(path)
      } catch (unlinkError) {
        if ((unlinkError as NodeJS.ErrnoException).code !== 'ENOENT') throw unlinkError
      }
      continue
    }
    try {
      writeSync(fd, JSON.stringify(holder))
    } finally {
      closeSync(fd)
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
  throw new Error(`could not take ${path}: another process keeps replacing it`)
}
