// The console's tests run against a hand-written fake of the main process (test/unit/renderer/support).
// Here the fake and the real dispatcher, on a real app in a temp data dir, take the same calls in
// the same order: both answers parse with the contract's output schema and have the same shape,
// so a fake that drifts from what the main process sends fails here, not in a user's console.
import { afterEach, describe, expect, it } from 'vitest'
import { methods, type MethodName } from '../../../../src-shared/contract'
import { open, type App } from '../../../../src-main/core/app'
import { createDispatcher } from '../../../../src-main/core/api'
import { NetworkSwitch } from '../../../../src-main/core/network/switch'
import { OcppControl } from '../../../../src-main/core/ocpp/switch'
import { referenceEsuCase } from '../../../support/esuCase'
import { useTempDirs } from '../../../support/tempDir'
import { createFakeBridge } from '../../renderer/support/fakeBridge'

const tempDir = useTempDirs()
const opened: { app: App; networkSwitch: NetworkSwitch }[] = []
afterEach(async () => {
  for (const { app, networkSwitch } of opened.splice(0)) {
    await networkSwitch.stop()
    app.close()
  }
})

/**
 * What a value looks like without its values: the type of each leaf, the keys of each object, and
 * the shape of an array's elements. Two empty arrays, or an empty and a full one, say nothing of
 * their elements and match.
 */
function shapeDifferences(fake: unknown, real: unknown, path = 'output'): string[] {
  const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v)
  if (kind(fake) !== kind(real)) return [`${path}: the fake gives ${kind(fake)}, the main process ${kind(real)}`]
  if (Array.isArray(fake) && Array.isArray(real)) {
    if (fake.length === 0 || real.length === 0) return []
    return shapeDifferences(fake[0], real[0], `${path}[0]`)
  }
  if (kind(fake) !== 'object') return []
  const f = fake as Record<string, unknown>
  const r = real as Record<string, unknown>
  const keys = [...new Set([...Object.keys(f), ...Object.keys(r)])].sort()
  return keys.flatMap((key) => {
    if (!(key in f)) return [`${path}.${key}: only the main process gives it`]
    if (!(key in r)) return [`${path}.${key}: only the fake gives it`]
    return shapeDifferences(f[key], r[key], `${path}.${key}`)
  })
}

interface Call {
  method: MethodName
  input?: unknown
}

/**
 * Calls in the order a console makes them, each valid on a fresh data dir (and on the fake's
 * fresh state); later calls see what earlier ones wrote.
 */
const CALLS: Call[] = [
  { method: 'app.info' },
  { method: 'esu.compute', input: referenceEsuCase },
  { method: 'esu.listProfiles' },
  { method: 'esu.saveProfile', input: { name: 'Leaf 24', parameters: referenceEsuCase } },
  { method: 'esu.listProfiles' },
  { method: 'esu.deleteProfile', input: { name: 'Leaf 24' } },
  { method: 'wallet.list' },
  { method: 'wallet.unlock', input: { passphrase: 'correct horse' } },
  { method: 'wallet.create', input: { name: 'treasury', role: 'operator' } },
  { method: 'wallet.create', input: { name: 'bus-7', role: 'ev' } },
  { method: 'wallet.list' },
  { method: 'wallet.history', input: { name: 'treasury' } },
  { method: 'tangle.stats' },
  { method: 'tangle.recent', input: { limit: 10 } },
  { method: 'tangle.search', input: { query: 'ab'.repeat(32) } },
  { method: 'market.scenarios' },
  { method: 'market.runs' },
  { method: 'market.start', input: { scenario: 'paper-3x10', clock: 'accelerated', slotSeconds: 3600, settle: false } },
  { method: 'market.runs' },
  { method: 'market.participants' },
  { method: 'meter.ports' },
  { method: 'meter.list' },
  { method: 'meter.volumes' },
  { method: 'network.status' },
  { method: 'network.peers' },
  { method: 'network.banned' },
  { method: 'network.activity' },
  { method: 'network.settings' },
  { method: 'network.configure', input: { enabled: false, listen: ['/ip4/127.0.0.1/tcp/0'], peers: [], mdns: false } },
  { method: 'ocpp.settings' },
  { method: 'ocpp.chargers' },
  { method: 'ocpp.add', input: { id: 'CP-1', dischargeByNegativeLimit: false, prosumer: null } },
  { method: 'ocpp.update', input: { id: 'CP-1', dischargeByNegativeLimit: true } },
  { method: 'ocpp.chargers' },
  { method: 'ocpp.remove', input: { id: 'CP-1' } }
]

describe("the renderer's fake of the main process", () => {
  it('answers every call as the real dispatcher does: outputs that parse with the contract and have the same shape', async () => {
    const fake = createFakeBridge()
    const app = open(tempDir(), { ledger: { powBits: 2 } })
    // as the desktop app and dv2g serve have it: networking off until Settings turns it on
    const networkSwitch = new NetworkSwitch(app, () => {})
    opened.push({ app, networkSwitch })
    app.running.network = networkSwitch
    await networkSwitch.start()
    // and the central system as ocpp.json says: off on a fresh data dir
    const ocpp = (app.running.ocpp = OcppControl.create(app, null, () => {}))
    await ocpp.start()
    const dispatch = createDispatcher(app)
    const differences: string[] = []
    for (const { method, input } of CALLS) {
      const fakeAnswer = await fake.methods[method](input as never)
      if (!fakeAnswer.ok) {
        differences.push(`${method}: the fake refused it: ${fakeAnswer.error.message}`)
        continue
      }
      const real = await dispatch(method, input).catch((error: Error) => error)
      if (real instanceof Error) {
        differences.push(`${method}: the fake answers it, the main process refuses it: ${real.message}`)
        continue
      }
      const schema = methods[method].output
      expect(schema.safeParse(fakeAnswer.output).success, `${method}: the fake's output parses`).toBe(true)
      expect(schema.safeParse(real).success, `${method}: the main process's output parses`).toBe(true)
      differences.push(...shapeDifferences(fakeAnswer.output, real, method))
    }
    expect(differences).toEqual([])
  })

  it('tells a difference of shape: a missing key, a key of another type, and another kind of element', () => {
    expect(shapeDifferences({ a: 1, b: 'x' }, { a: 1, b: 'y' })).toEqual([])
    expect(shapeDifferences({ a: 1 }, { a: 1, b: 2 })).toEqual(['output.b: only the main process gives it'])
    expect(shapeDifferences({ a: '1' }, { a: 1 })).toEqual(['output.a: the fake gives string, the main process number'])
    expect(shapeDifferences([{ a: null }], [{ a: 'x' }])).toEqual(['output[0].a: the fake gives null, the main process string'])
    expect(shapeDifferences([], [{ a: 1 }])).toEqual([])
  })
})
