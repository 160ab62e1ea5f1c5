import { afterEach, describe, expect, it } from 'vitest'
import { open, type App } from '../../../../../src-main/core/app'
import { encodeBody, MARKET_TOPICS, parseBody } from '../../../../../src-main/core/market/tangle/messages'
import { useTempDirs } from '../../../../support/tempDir'

const tempDir = useTempDirs()
const opened: App[] = []
afterEach(() => {
  for (const app of opened.splice(0)) app.close()
})

const ADDRESS = 'dv2g1c48na6qqjhpwslpjnadvrumn36w72sqwe0ap9c4ecks7ypew8ltsq6qftd'

describe('market participant ids', () => {
  it('are refused at registration when reserved or holding a control character, before anything is signed', () => {
    const app = open(tempDir(), { ledger: { powBits: 2 } })
    opened.push(app)
    const { wallets } = app.ledger()
    wallets.keystore.unlock('a long passphrase for tests')
    wallets.create('treasury', 'operator')
    const market = app.marketTangle()
    expect(() => market.register({ id: '__proto__', role: 'ev', address: ADDRESS })).toThrow('id: "__proto__" is reserved')
    expect(() =>
      market.registerAll([
        { id: 'EV1', role: 'ev', address: ADDRESS },
        { id: 'G\x1b[8m1', role: 'grid', address: ADDRESS }
      ])
    ).toThrow('participant 2 ("G\\u001b[8m1"): id: "G\\x1b[8m1" holds a control character (U+001B)')
    expect(market.participants()).toEqual([])
  })

  it('are refused in what other nodes put on the tangle, so none becomes a key here', () => {
    expect(parseBody(MARKET_TOPICS.register, encodeBody({ id: 'constructor', role: 'grid', address: ADDRESS }))).toEqual({
      ok: false,
      reason: 'market.register: id "constructor" is reserved'
    })
    expect(parseBody(MARKET_TOPICS.revoke, encodeBody({ id: '__proto__' }))).toMatchObject({ ok: false })
    expect(parseBody(MARKET_TOPICS.register, encodeBody({ id: 'EV1', role: 'ev', address: ADDRESS }))).toMatchObject({
      ok: true,
      value: { id: 'EV1' }
    })
  })
})
