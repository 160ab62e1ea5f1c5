import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { CallError, createApiClient, socketUrl, type ApiClient } from '../../../src-renderer/api'
import { createBridgeTransport } from '../../../src-renderer/transport/bridge'
import { takePageToken, TOKEN_STORAGE_KEY, type TokenPage } from '../../../src-renderer/transport/pageToken'
import { createSocketTransport, retryDelayMs } from '../../../src-renderer/transport/socket'
import { socketProtocols } from '../../../src-shared/serveAuth'
import { createFakeBridge } from './support/fakeBridge'
import { FakeWebSocket } from './support/fakeWebSocket'
import { referenceEsuCase } from '../../support/esuCase'

const appInfo = {
  version: '0.1.0',
  dataDir: '/data',
  databaseFile: '/data/dv2g.sqlite',
  databaseBytes: 8192,
  schemaVersion: 1,
  latestSchemaVersion: 1,
  journalMode: 'wal',
  tables: [],
  transport: 'serve',
  nodeVersion: '20.19.0',
  startedAt: '2025-01-01T00:00:00.000Z'
}

type SentCall = { type: 'call'; id: number; method: string; input?: unknown }
const sentCalls = (socket: FakeWebSocket) => socket.sent as SentCall[]

describe('api client over the serve-mode WebSocket', () => {
  let client: ApiClient

  beforeEach(() => {
    vi.useFakeTimers()
    FakeWebSocket.created = []
    client = createApiClient(
      createSocketTransport({
        url: 'ws://127.0.0.1:4780/ws',
        protocols: socketProtocols('t0k3n'),
        createSocket: (url, protocols) => new FakeWebSocket(url, protocols),
        initialRetryMs: 100,
        maxRetryMs: 1000,
        callTimeoutMs: 5000
      })
    )
  })

  afterEach(() => {
    client.close()
    vi.useRealTimers()
  })

  it('queues calls made while connecting and sends them, with request ids, once open', async () => {
    const socket = FakeWebSocket.latest()
    expect(socket.url).toBe('ws://127.0.0.1:4780/ws')
    expect(socket.protocols).toEqual(['dv2g.v1', 'dv2g.bearer.t0k3n'])
    expect(client.connection.value.status).toBe('connecting')

    const info = client.call('app.info')
    const cost = client.call('esu.compute', referenceEsuCase)
    expect(socket.sent).toEqual([])

    socket.open()
    expect(client.connection.value.status).toBe('connected')
    const [first, second] = sentCalls(socket)
    expect(first).toMatchObject({ type: 'call', method: 'app.info' })
    expect(second).toMatchObject({ type: 'call', method: 'esu.compute', input: referenceEsuCase })
    expect(first!.id).not.toBe(second!.id)

    // answers may come in any order; ids route them
    socket.reply({
      type: 'result',
      id: second!.id,
      ok: true,
      output: { annuityFactor: 0.1295, costPerDay: 2.9094, lifetimeThroughputKWh: 57600, degradationCostPerKWh: 0.14236 }
    })
    socket.reply({ type: 'result', id: first!.id, ok: true, output: appInfo })
    await expect(cost).resolves.toMatchObject({ costPerDay: 2.9094 })
    await expect(info).resolves.toMatchObject({ dataDir: '/data' })
  })

  it('throws a CallError carrying the code, message and fields of a refused call', async () => {
    const socket = FakeWebSocket.latest()
    socket.open()
    const saving = client.call('esu.saveProfile', { name: '', parameters: referenceEsuCase })
    const { id } = sentCalls(socket)[0]!
    socket.reply({
      type: 'result',
      id,
      ok: false,
      error: {
        code: 'invalid_argument',
        message: 'esu.saveProfile: name must not be empty',
        fields: [{ path: 'name', message: 'must not be empty' }]
      }
    })
    const error = await saving.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CallError)
    expect(error).toMatchObject({ code: 'invalid_argument', method: 'esu.saveProfile', message: 'esu.saveProfile: name must not be empty' })
    expect((error as CallError).fields).toEqual([{ path: 'name', message: 'must not be empty' }])
    expect((error as CallError).fieldMessage('name')).toBe('must not be empty')
  })

  it('rejects output that does not match the contract instead of passing it on', async () => {
    const socket = FakeWebSocket.latest()
    socket.open()
    const info = client.call('app.info')
    socket.reply({ type: 'result', id: sentCalls(socket)[0]!.id, ok: true, output: { ...appInfo, schemaVersion: 'one' } })
    await expect(info).rejects.toMatchObject({ code: 'internal', message: expect.stringContaining('schemaVersion') })
  })

  it('reconnects with a doubling backoff and sends what was queued meanwhile', async () => {
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().drop(1006)
    expect(client.connection.value).toMatchObject({ status: 'reconnecting', attempt: 1 })
    expect(FakeWebSocket.created).toHaveLength(1)

    await vi.advanceTimersByTimeAsync(100)
    expect(FakeWebSocket.created).toHaveLength(2)
    // every reconnect offers the token again: the server checks it on each upgrade
    expect(FakeWebSocket.latest().protocols).toEqual(['dv2g.v1', 'dv2g.bearer.t0k3n'])
    FakeWebSocket.latest().drop(1006)
    expect(client.connection.value.attempt).toBe(2)
    await vi.advanceTimersByTimeAsync(199)
    expect(FakeWebSocket.created).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(1)
    expect(FakeWebSocket.created).toHaveLength(3)

    const profiles = client.call('esu.listProfiles')
    const socket = FakeWebSocket.latest()
    socket.open()
    expect(client.connection.value).toMatchObject({ status: 'connected', attempt: 0 })
    socket.reply({ type: 'result', id: sentCalls(socket)[0]!.id, ok: true, output: [] })
    await expect(profiles).resolves.toEqual([])
  })

  it('fails a call already sent when the connection drops, rather than leaving it hanging', async () => {
    const socket = FakeWebSocket.latest()
    socket.open()
    const info = client.call('app.info')
    socket.drop(1006)
    await expect(info).rejects.toMatchObject({ code: 'unavailable', message: expect.stringContaining('connection lost') })
  })

  it('fails a call that gets no answer in time', async () => {
    FakeWebSocket.latest().open()
    const info = client.call('app.info')
    const outcome = info.catch((e: unknown) => e)
    await vi.advanceTimersByTimeAsync(5000)
    expect(await outcome).toMatchObject({ code: 'unavailable', message: 'no answer to app.info within 5 s' })
  })

  it('delivers contract events with a valid payload and drops the others', () => {
    const socket = FakeWebSocket.latest()
    socket.open()
    const received = vi.fn()
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    client.onEvent('esu.profilesChanged', received)
    socket.reply({ type: 'event', name: 'esu.profilesChanged', payload: { names: ['Depot A'] } })
    socket.reply({ type: 'event', name: 'esu.profilesChanged', payload: { names: 'Depot A' } })
    socket.reply({ type: 'event', name: 'no.suchEvent', payload: {} })
    expect(received).toHaveBeenCalledTimes(1)
    expect(received).toHaveBeenCalledWith({ names: ['Depot A'] })
    expect(warn).toHaveBeenCalledTimes(1)
    warn.mockRestore()
  })
})

describe('retry delays', () => {
  it('double from the first delay up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => retryDelayMs(n, 250, 10_000))).toEqual([250, 500, 1000, 2000, 4000, 8000, 10_000])
  })
})

describe('the socket URL', () => {
  it('is the page origin, with no token in it', () => {
    expect(socketUrl({ protocol: 'http:', host: '127.0.0.1:4780' })).toBe('ws://127.0.0.1:4780/ws')
    expect(socketUrl({ protocol: 'https:', host: 'localhost:1' })).toBe('wss://localhost:1/ws')
  })
})

/** A page at href with its own history and tab storage, as the browser keeps them. */
function fakePage(href: string, stored: Record<string, string> = {}) {
  const storage = new Map(Object.entries(stored))
  const page = {
    location: { href },
    history: {
      state: { router: 'position 3' } as unknown,
      replaceState(state: unknown, _unused: string, url?: string | URL | null) {
        page.history.state = state
        page.location.href = new URL(String(url), page.location.href).href
      }
    },
    sessionStorage: {
      getItem: (key: string) => storage.get(key) ?? null,
      setItem: (key: string, value: string) => void storage.set(key, value)
    }
  } satisfies TokenPage
  return { page, storage }
}

describe("the page's token", () => {
  it('is taken from the printed URL, kept in the tab, and removed from the address bar with the route kept', () => {
    const { page, storage } = fakePage('http://127.0.0.1:4780/?token=a%2Bb-c#/esu')
    expect(takePageToken(page)).toBe('a+b-c')
    expect(page.location.href).toBe('http://127.0.0.1:4780/#/esu')
    expect(page.history.state).toEqual({ router: 'position 3' })
    expect(storage.get(TOKEN_STORAGE_KEY)).toBe('a+b-c')
  })

  it('survives a reload from the tab storage, and a newly printed URL replaces a stale one', () => {
    const reloaded = fakePage('http://127.0.0.1:4780/#/wallets', { [TOKEN_STORAGE_KEY]: 'old' })
    expect(takePageToken(reloaded.page)).toBe('old')
    expect(reloaded.page.location.href).toBe('http://127.0.0.1:4780/#/wallets')

    const reopened = fakePage('http://127.0.0.1:4780/?token=new', { [TOKEN_STORAGE_KEY]: 'old' })
    expect(takePageToken(reopened.page)).toBe('new')
    expect(reopened.storage.get(TOKEN_STORAGE_KEY)).toBe('new')
    expect(reopened.page.location.href).toBe('http://127.0.0.1:4780/')
  })

  it('still works for this page when the tab storage is disabled, and is absent when never given', () => {
    const { page } = fakePage('http://127.0.0.1:4780/?token=t&keep=1')
    page.sessionStorage.setItem = () => {
      throw new Error('SecurityError')
    }
    expect(takePageToken(page)).toBe('t')
    expect(page.location.href).toBe('http://127.0.0.1:4780/?keep=1')
    expect(takePageToken(fakePage('http://127.0.0.1:4780/').page)).toBeUndefined()
  })
})

describe('api client over the Electron bridge', () => {
  it('calls through the preload and maps refused calls to CallError with fields', async () => {
    const bridge = createFakeBridge()
    const client = createApiClient(createBridgeTransport(bridge))
    expect(client.connection.value).toMatchObject({ transport: 'electron', status: 'connected' })

    await expect(client.call('esu.compute', referenceEsuCase)).resolves.toMatchObject({ lifetimeThroughputKWh: expect.closeTo(57600, 6) })

    const refused = await client
      .call('esu.compute', { ...referenceEsuCase, depthOfDischarge: 1.5, interestRate: -0.1 })
      .catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(CallError)
    expect((refused as CallError).code).toBe('invalid_argument')
    expect((refused as CallError).fieldMessage('depthOfDischarge')).toBe('must be between 0.01 and 1')
    expect((refused as CallError).fieldMessage('interestRate')).toBe('must be between 0 and 1')
  })

  it('forwards events and reports a failing IPC call as unavailable', async () => {
    const bridge = createFakeBridge()
    const client = createApiClient(createBridgeTransport(bridge))
    const received = vi.fn()
    client.onEvent('esu.profilesChanged', received)
    await client.call('esu.saveProfile', { name: 'Depot A', parameters: referenceEsuCase })
    expect(received).toHaveBeenCalledWith({ names: ['Depot A'] })

    bridge.methods['app.info'] = () => Promise.reject(new Error('ipc channel closed'))
    await expect(client.call('app.info')).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringContaining('ipc channel closed')
    })
  })
})

describe('a socket that cannot even be created', () => {
  it('is retried like a lost one', async () => {
    vi.useFakeTimers()
    let attempts = 0
    const transport = createSocketTransport({
      url: 'ws://bad',
      createSocket: (url) => {
        attempts++
        if (attempts === 1) throw new SyntaxError(`The URL '${url}' is invalid`)
        return new FakeWebSocket(url)
      },
      initialRetryMs: 50
    })
    expect(transport.state).toMatchObject({ status: 'reconnecting', attempt: 1, lastError: "The URL 'ws://bad' is invalid" })
    await vi.advanceTimersByTimeAsync(50)
    expect(attempts).toBe(2)
    transport.close()
    vi.useRealTimers()
  })
})
