// Gossip RPCs pushed to a peer in one turn of the event loop go out as one write, still framed one by one.
import { describe, expect, it } from 'vitest'
import { coalesceWrites, type PrefixedPush } from '../../../../../../src-main/core/network/gossip/gossipWrites'
import { until } from '../../../../../support/until'

class RecordingStream implements PrefixedPush {
  readonly writes: Uint8Array[] = []
  closed = false
  pushPrefixed(data: Uint8Array | { subarray(): Uint8Array }): void {
    if (this.closed) throw new Error('Cannot write to a stream that is closed')
    this.writes.push(data instanceof Uint8Array ? data : data.subarray())
  }
}

const rpc = (n: number, size = 300) => new Uint8Array(size).fill(n)

/** gossipsub's framing: an unsigned varint length, then the RPC */
function prefixed(data: Uint8Array): Uint8Array {
  const length: number[] = []
  for (let rest = data.length; ; rest >>>= 7) {
    if (rest < 0x80) {
      length.push(rest)
      break
    }
    length.push((rest & 0x7f) | 0x80)
  }
  return Uint8Array.from([...length, ...data])
}

function framesOf(writes: Uint8Array[]): number[][] {
  const bytes = Uint8Array.from(writes.flatMap((write) => [...write]))
  const frames: number[][] = []
  for (let at = 0; at < bytes.length;) {
    let length = 0
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[at++]!
      length |= (byte & 0x7f) << shift
      if (byte < 0x80) break
    }
    frames.push([...bytes.subarray(at, at + length)])
    at += length
  }
  return frames
}

describe('coalesced gossip writes', () => {
  it('writes what one turn pushes as one write, the RPCs in order and each framed as before', async () => {
    const stream = new RecordingStream()
    coalesceWrites(stream, () => {})
    for (let n = 1; n <= 3; n++) stream.pushPrefixed(prefixed(rpc(n)))
    expect(stream.writes).toHaveLength(0)
    await until(() => stream.writes.length === 1, 5_000, 'the turn to end and the RPCs to go out')
    expect(framesOf(stream.writes)).toEqual([1, 2, 3].map((n) => [...rpc(n)]))

    // the next turn is a write of its own
    stream.pushPrefixed(prefixed(rpc(4)))
    await until(() => stream.writes.length === 2, 5_000, 'the next turn to write')
    expect(framesOf(stream.writes.slice(1))).toEqual([[...rpc(4)]])
  })

  it('writes at once past 64 KiB waiting, and drops what a closed stream cannot take, saying so', async () => {
    const stream = new RecordingStream()
    const errors: unknown[] = []
    coalesceWrites(stream, (error) => errors.push(error))
    for (let n = 0; n < 70; n++) stream.pushPrefixed(prefixed(rpc(n, 1000)))
    // the 66th RPC of 1,002 bytes passes 64 KiB: the 66 are written in the same turn
    expect(stream.writes).toHaveLength(1)
    await until(() => stream.writes.length === 2, 5_000, 'the rest to go out at the end of the turn')
    expect(framesOf(stream.writes).map((frame) => frame[0])).toEqual(Array.from({ length: 70 }, (_, n) => n))

    stream.closed = true
    stream.pushPrefixed(prefixed(rpc(1)))
    await until(() => errors.length === 1, 5_000, 'the failed write to be reported')
    expect(String(errors[0])).toContain('closed')
  })
})
