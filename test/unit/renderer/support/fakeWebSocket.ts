// A WebSocket at the browser boundary: records what the client sends and lets a test play the
// server's side (open, answer, push an event, drop the connection).
import type { SocketLike } from '../../../../src-renderer/transport/socket'

export class FakeWebSocket implements SocketLike {
  static created: FakeWebSocket[] = []
  readyState = 0
  sent: unknown[] = []
  onopen: SocketLike['onopen'] = null
  onclose: SocketLike['onclose'] = null
  onerror: SocketLike['onerror'] = null
  onmessage: SocketLike['onmessage'] = null

  constructor(
    readonly url: string,
    readonly protocols: readonly string[] = []
  ) {
    FakeWebSocket.created.push(this)
  }

  static latest(): FakeWebSocket {
    const socket = FakeWebSocket.created.at(-1)
    if (!socket) throw new Error('no socket was created')
    return socket
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open')
    this.sent.push(JSON.parse(data))
  }

  close(): void {
    this.drop(1000, 'closed by client')
  }

  // the server's side
  open(): void {
    this.readyState = 1
    this.onopen?.({})
  }

  reply(message: unknown): void {
    this.onmessage?.({ data: JSON.stringify(message) })
  }

  drop(code = 1006, reason = ''): void {
    if (this.readyState === 3) return
    this.readyState = 3
    this.onclose?.({ code, reason })
  }
}
