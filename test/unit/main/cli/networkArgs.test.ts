import { describe, expect, it } from 'vitest'
import { UsageError } from '../../../../src-main/cli/args'
import { DEFAULT_LISTEN, listenAddresses, takeNetworkArgs, wantsNetwork } from '../../../../src-main/cli/networkArgs'

const PEER = '/ip4/127.0.0.1/tcp/4781/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA'

function usageError(work: () => unknown): string {
  try {
    work()
  } catch (error) {
    if (error instanceof UsageError) return error.message
    throw error
  }
  throw new Error('expected a usage error')
}

describe('the network options of dv2g node and dv2g serve', () => {
  it('takes repeated --listen and --peer, both spellings, and --mdns, and leaves the rest to the command', () => {
    const args = takeNetworkArgs([
      '--port',
      '0',
      '--listen',
      '/ip4/127.0.0.1/tcp/0',
      `--listen=/ip4/0.0.0.0/tcp/4790`,
      '--peer',
      PEER,
      '--mdns',
      '--host',
      '127.0.0.1'
    ])
    expect(args).toEqual({
      listen: ['/ip4/127.0.0.1/tcp/0', '/ip4/0.0.0.0/tcp/4790'],
      peers: [PEER],
      mdns: true,
      rest: ['--port', '0', '--host', '127.0.0.1']
    })
    expect(wantsNetwork(args)).toBe(true)
    expect(listenAddresses(args)).toEqual(['/ip4/127.0.0.1/tcp/0', '/ip4/0.0.0.0/tcp/4790'])
  })

  it('asks for no network without any of them, and listens on the default once a peer alone is given', () => {
    const none = takeNetworkArgs(['--port', '0'])
    expect(wantsNetwork(none)).toBe(false)
    const peerOnly = takeNetworkArgs(['--peer', PEER])
    expect(wantsNetwork(peerOnly)).toBe(true)
    expect(listenAddresses(peerOnly)).toEqual([DEFAULT_LISTEN])
  })

  it('names the option and the address that is wrong', () => {
    expect(usageError(() => takeNetworkArgs(['--listen']))).toBe('--listen needs a value')
    expect(usageError(() => takeNetworkArgs(['--peer', '--mdns']))).toBe('--peer needs a value')
    expect(usageError(() => takeNetworkArgs(['--listen', 'localhost:4781']))).toMatch(/^--listen "localhost:4781" is not a multiaddr/)
    expect(usageError(() => takeNetworkArgs(['--peer', '/ip4/127.0.0.1/tcp/4781']))).toMatch(
      /^--peer \/ip4\/127\.0\.0\.1\/tcp\/4781 needs the peer's id at the end/
    )
  })
})
