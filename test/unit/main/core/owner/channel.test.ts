import { createConnection } from 'node:net'
import { describe, expect, it } from 'vitest'
import { callChannel, ChannelCallError, channelPath, serveChannel } from '../../../../../src-main/core/owner/channel'
import { claimDataDir } from '../../../../../src-main/core/owner/lock'
import { operationError } from '../../../../../src-main/core/owner/operations'
import { useTempDirs } from '../../../../support/tempDir'

const tempDir = useTempDirs()

describe('owner channel', () => {
  it('reads a request that arrives in many chunks and several that arrive in one, and refuses one past the line limit', async () => {
    const dir = tempDir()
    const lock = claimDataDir(dir, 'dv2g serve', channelPath(dir))
    const channel = await serveChannel(lock.holder, async (operation, input) => ({ operation, input }), operationError)
    const socket = createConnection(channel.path)
    try {
      const replies: { id: number; ok?: boolean; output?: { input: unknown }; error?: { message: string } }[] = []
      let received = ''
      socket.setEncoding('utf8')
      socket.on('data', (chunk: string) => {
        received += chunk
        const lines = received.split('\n')
        received = lines.pop()!
        replies.push(...lines.map((line) => JSON.parse(line)))
      })
      const replyCount = (n: number) => expect.poll(() => replies.length, { timeout: 10_000 }).toBe(n)
      const request = (id: number, input: unknown) => `${JSON.stringify({ id, token: lock.holder.token, operation: 'echo', input })}\n`

      // a request of a few hundred kilobytes reaches the owner in many socket reads
      const long = 'x'.repeat(300_000)
      const first = request(1, long)
      socket.write(first.slice(0, 10))
      socket.write(first.slice(10, 200_000))
      socket.write(first.slice(200_000))
      socket.write(request(2, 'two') + request(3, 'three'))
      await replyCount(3)
      expect(replies.map((r) => [r.id, r.ok, r.output?.input])).toEqual([
        [1, true, long],
        [2, true, 'two'],
        [3, true, 'three']
      ])

      socket.write('y'.repeat((16 << 20) + 1))
      await replyCount(4)
      expect(replies[3]).toMatchObject({ id: -1, ok: false, error: { message: `request longer than ${16 << 20} bytes` } })
    } finally {
      socket.destroy()
      await channel.close()
      lock.release()
    }
  })

  it('answers a result over the line limit with what happened: the operation ran, its result did not fit', async () => {
    const dir = tempDir()
    const lock = claimDataDir(dir, 'dv2g serve', channelPath(dir))
    let ran = 0
    const channel = await serveChannel(
      lock.holder,
      async () => {
        ran++
        return { rejected: 'z'.repeat((16 << 20) + 1) }
      },
      operationError
    )
    try {
      const answer = callChannel(lock.holder, 'meter.import', {}, () => {})
      await expect(answer).rejects.toBeInstanceOf(ChannelCallError)
      await expect(answer).rejects.toThrow(/the operation ran, but its result \(\d+ bytes\) is over the channel's 16777216-byte limit/)
      expect(ran).toBe(1)
    } finally {
      await channel.close()
      lock.release()
    }
  })
})
