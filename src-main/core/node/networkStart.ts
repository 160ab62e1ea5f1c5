// What a failed network node start means to the operator: a damaged peer key, or a listen port
// another process holds, said in one line; anything else passes through unchanged.
import { createServer } from 'node:net'
import { parseAddress } from '../network/address'
import { PeerKeyError } from '../network/identity'
import { NodeStartError } from './errors'

/** Whether another process listens on the address's port now: bound for a moment, then let go. */
function portInUse(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer()
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRINUSE'))
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(false)))
  })
}

/** The first TCP listen address whose port is taken, if any. */
async function takenListenAddress(listen: readonly string[]): Promise<{ host: string; port: number; family: 4 | 6 } | undefined> {
  for (const address of listen) {
    const [ip, tcp] = parseAddress(address, '--listen').getComponents()
    if ((ip?.name !== 'ip4' && ip?.name !== 'ip6') || ip.value === undefined || tcp?.name !== 'tcp') continue
    const port = Number(tcp.value)
    if (port !== 0 && (await portInUse(ip.value, port))) return { host: ip.value, port, family: ip.name === 'ip4' ? 4 : 6 }
  }
  return undefined
}

/** libp2p reports a taken port only in its message's text, so the ports are looked at again instead. */
export async function networkStartError(error: unknown, listen: readonly string[]): Promise<unknown> {
  if (error instanceof PeerKeyError) return new NodeStartError(error.message)
  const taken = await takenListenAddress(listen)
  if (taken)
    return new NodeStartError(`port ${taken.port} is in use; pass --listen /ip${taken.family}/${taken.host}/tcp/0 for any free port`)
  return error
}
