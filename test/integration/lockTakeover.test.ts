// The takeover of a data dir's stale lock, raced by several processes at once: one owner, always.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LOCK_FILE_NAME } from '../../src-main/core/owner/lock'
import { stopChild } from '../support/cli'
import { useTempDirs } from '../support/tempDir'

const tempDir = useTempDirs({ perFile: true })
const CLAIMERS = 4
const ROUNDS = 200

interface Claimer {
  child: ChildProcessWithoutNullStreams
  answers: string[]
  waiting?: () => void
}

const claimers: Claimer[] = []

/** The next line a claimer answers, bounded in time. */
function nextAnswer(claimer: Claimer, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const take = () => {
      clearTimeout(timer)
      claimer.waiting = undefined
      resolve(claimer.answers.shift()!)
    }
    const timer = setTimeout(() => {
      claimer.waiting = undefined
      reject(new Error(`claimer ${claimer.child.pid} answered nothing within ${timeoutMs} ms`))
    }, timeoutMs)
    if (claimer.answers.length) take()
    else claimer.waiting = take
  })
}

beforeAll(async () => {
  const script = fileURLToPath(new URL('../support/lockClaimer.ts', import.meta.url))
  for (let i = 0; i < CLAIMERS; i++) {
    const child = spawn(process.execPath, ['--import', 'tsx', script, `claimer-${i}`], { stdio: ['pipe', 'pipe', 'pipe'] })
    const claimer: Claimer = { child, answers: [] }
    createInterface({ input: child.stdout }).on('line', (line) => {
      claimer.answers.push(line)
      claimer.waiting?.()
    })
    claimers.push(claimer)
  }
  // starting tsx in several processes at once takes seconds on a busy machine
  for (const claimer of claimers) expect(await nextAnswer(claimer, 60_000)).toBe('ready')
}, 90_000)

afterAll(async () => {
  await Promise.all(claimers.map((c) => stopChild(c.child)))
})

describe('the takeover of a stale lock', () => {
  it(`leaves exactly one owner when ${CLAIMERS} processes take over the same torn or dead lock at once, ${ROUNDS} times`, async () => {
    const root = tempDir()
    const doubleOwners: string[] = []
    for (let round = 0; round < ROUNDS; round++) {
      const dir = join(root, `round-${round}`)
      mkdirSync(dir)
      // torn (a process killed while writing it), or whole but naming a process that is gone
      const stale =
        round % 2 === 0 ? '{"pid":' : JSON.stringify({ pid: 2 ** 22 + 1, owner: 'dv2g serve', startedAt: '', channel: null, token: 'gone' })
      writeFileSync(join(dir, LOCK_FILE_NAME), stale, { mode: 0o600 })
      // a start a little ahead, so every claimer has the line before it
      const startAt = Date.now() + 25
      for (const claimer of claimers) claimer.child.stdin.write(`claim ${round} ${dir} ${startAt}\n`)
      const answers = await Promise.all(claimers.map((c) => nextAnswer(c, 30_000)))
      const failed = answers.filter((a) => a.startsWith('failed'))
      expect(failed, `round ${round}`).toEqual([])
      const winners = claimers.filter((_, i) => answers[i] === `won ${round}`)
      if (winners.length !== 1) doubleOwners.push(`round ${round}: ${winners.length} owners (${answers.join(', ')})`)
      else expect(JSON.parse(readFileSync(join(dir, LOCK_FILE_NAME), 'utf8')).pid, `round ${round}`).toBe(winners[0]!.child.pid)
      // no guard or temp file outlives a takeover
      expect(readdirSync(dir), `round ${round}`).toEqual([LOCK_FILE_NAME])
    }
    expect(doubleOwners).toEqual([])
  }, 180_000)
})
