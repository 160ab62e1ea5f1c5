import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { callChannel, ChannelCallError, channelPath, serveChannel } from '../../../../../src-main/core/owner/channel'
import { claimDataDir, DataDirHeldError, LOCK_FILE_NAME, readHolder, takeoverGuardPath } from '../../../../../src-main/core/owner/lock'
import { operationError, runOperation } from '../../../../../src-main/core/owner/operations'
import { open } from '../../../../../src-main/core/app'
import { useTempDirs } from '../../../../support/tempDir'

const tempDir = useTempDirs()

describe('the data dir lock', () => {
  it('is held by one process at a time, readable by its user only, and released only by its holder', () => {
    const dir = tempDir()
    const lock = claimDataDir(dir, 'dv2g serve', channelPath(dir))
    expect(statSync(lock.path).mode & 0o777).toBe(0o600)
    expect(readHolder(dir)).toMatchObject({ pid: process.pid, owner: 'dv2g serve', channel: channelPath(dir) })
    expect(() => claimDataDir(dir, 'dv2g tangle spam')).toThrow(DataDirHeldError)
    expect(() => claimDataDir(dir, 'dv2g tangle spam')).toThrow(`in use by dv2g serve (PID ${process.pid})`)

    // a later holder's lock is not removed by an earlier holder's release
    writeFileSync(lock.path, JSON.stringify({ ...lock.holder, token: 'someone-else' }))
    lock.release()
    expect(existsSync(lock.path)).toBe(true)
  })

  it('takes over a lock whose process is gone, and one cut off while it was written', async () => {
    const dir = tempDir()
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' })
    await new Promise((resolve) => child.once('exit', resolve))
    writeFileSync(
      join(dir, LOCK_FILE_NAME),
      JSON.stringify({ pid: child.pid, owner: 'dv2g serve', startedAt: '', channel: null, token: 't' })
    )
    expect(readHolder(dir)).toBeUndefined()
    claimDataDir(dir, 'dv2g wallet send').release()

    writeFileSync(join(dir, LOCK_FILE_NAME), '{"pid":')
    const lock = claimDataDir(dir, 'dv2g wallet send')
    expect(JSON.parse(readFileSync(lock.path, 'utf8')).owner).toBe('dv2g wallet send')
    lock.release()
    expect(existsSync(lock.path)).toBe(false)
  })
})

describe('the takeover of a stale lock', () => {
  const deadPid = async () => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' })
    await new Promise((resolve) => child.once('exit', resolve))
    return child.pid!
  }

  it('goes on after a takeover whose process died holding its guard, and leaves only the lock behind', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, LOCK_FILE_NAME), '{"pid":')
    // two takeovers cut off one after the other: each guard names the one before it
    const guard = takeoverGuardPath(dir)!
    writeFileSync(guard, JSON.stringify({ pid: await deadPid() }))
    const inner = `${guard}-${createHash('sha256')
      .update(`${statSync(guard).ino}\n${readFileSync(guard, 'utf8')}`)
      .digest('hex')
      .slice(0, 16)}`
    writeFileSync(inner, JSON.stringify({ pid: await deadPid() }))

    const lock = claimDataDir(dir, 'dv2g serve')
    expect(readHolder(dir)).toMatchObject({ pid: process.pid, owner: 'dv2g serve', token: lock.holder.token })
    expect(readdirSync(dir)).toEqual([LOCK_FILE_NAME])
    lock.release()
  })

  it('never removes a stale lock while a live process holds its takeover guard, and gives up in bounded time', async () => {
    const dir = tempDir()
    const stale = JSON.stringify({ pid: await deadPid(), owner: 'dv2g serve', startedAt: '', channel: null, token: 't' })
    writeFileSync(join(dir, LOCK_FILE_NAME), stale)
    // a process in the middle of taking it over: the lock is its to replace
    const taker = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })
    try {
      writeFileSync(takeoverGuardPath(dir)!, JSON.stringify({ pid: taker.pid }))
      const started = Date.now()
      expect(() => claimDataDir(dir, 'dv2g wallet send')).toThrow(`could not take ${join(dir, LOCK_FILE_NAME)}`)
      expect(Date.now() - started).toBeLessThan(20_000)
      expect(readFileSync(join(dir, LOCK_FILE_NAME), 'utf8')).toBe(stale)
    } finally {
      taker.kill()
    }
  })
})

describe('the local channel', () => {
  it('runs operations for callers with the lock token, refuses others, and keeps refusals apart from failures', async () => {
    const dir = tempDir()
    const lock = claimDataDir(dir, 'dv2g serve', channelPath(dir))
    const app = open(dir)
    const channel = await serveChannel(lock.holder, (name, input, progress) => runOperation(app, name, input, progress), operationError)
    try {
      expect(statSync(channel.path).mode & 0o777).toBe(0o600)
      const spam = callChannel(lock.holder, 'tangle.spam', { count: 3 }, () => {})
      await expect(spam).rejects.toThrow(/no genesis yet/)
      await expect(spam).rejects.toMatchObject({ detail: { refused: true } })
      await expect(callChannel(lock.holder, 'tangle.spam', { count: -1 }, () => {})).rejects.toThrow('count: Too small')
      await expect(callChannel(lock.holder, 'wallet.drain', {}, () => {})).rejects.toThrow('unknown operation "wallet.drain"')
      const stranger = callChannel({ ...lock.holder, token: 'guessed' }, 'tangle.spam', { count: 1 }, () => {})
      await expect(stranger).rejects.toBeInstanceOf(ChannelCallError)
      await expect(stranger).rejects.toThrow('wrong channel token')
    } finally {
      await channel.close()
      app.close()
      lock.release()
    }
  })
})
