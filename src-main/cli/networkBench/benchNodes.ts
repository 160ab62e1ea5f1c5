// What the benches of node processes share: waiting for a condition, asking a node through its
// channel, and the operator's data dir.
import { open } from '../../core/app'
import { callChannel } from '../../core/owner/channel'
import { readHolder } from '../../core/owner/lock'
import type { NodeProcess } from './nodeProcess'

const SAMPLE_MS = 100
const CHANNEL_TIMEOUT_MS = 30_000

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls until the condition holds; false once the time is up. */
export async function within(timeoutMs: number, holds: () => boolean | Promise<boolean>): Promise<boolean> {
  const started = performance.now()
  for (;;) {
    if (await holds()) return true
    if (performance.now() - started > timeoutMs) return false
    await sleep(SAMPLE_MS)
  }
}

/** Calls an operation of the node's channel, as the dv2g commands do. */
export function ask<T>(node: NodeProcess, operation: string, input: unknown): Promise<T> {
  const holder = readHolder(node.dataDir)
  if (!holder) throw new Error(`no process holds ${node.dataDir}`)
  return callChannel(holder, operation, input, () => {}, CHANNEL_TIMEOUT_MS) as Promise<T>
}

/** The operator's data dir: its keystore with the treasury, whose genesis names it the milestone issuer. */
export function createOperatorDataDir(dir: string, passphrase: string): void {
  const app = open(dir)
  try {
    const { wallets } = app.ledger()
    wallets.keystore.unlock(passphrase)
    wallets.create('treasury', 'operator')
  } finally {
    app.close()
  }
}
