// Ed25519 verification spread over worker threads and (unless the caller says otherwise) this
// one: signatures are the cost of ingest, and a node has more than one core. The worker's code is
// self-contained JavaScript (libsodium, as signing.ts verifies, loaded by its resolved path), so it
// runs the same from the TypeScript sources, the CLI and the build.
import { createRequire } from 'node:module'
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { SignatureVerifier } from './signing'
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES } from './transaction'

export interface SignedMessage {
  publicKey: Uint8Array
  message: Uint8Array
  signature: Uint8Array
}

// A share goes to a worker as one transferred buffer of records (public key 32, signature 64,
// message length u32, message): an array of objects is copied field by field on both sides,
// which cost the sending thread more than a tenth of a sync.
const RECORD_HEADER_BYTES = PUBLIC_KEY_BYTES + SIGNATURE_BYTES + 4

// an eval'd worker resolves modules from the working directory, which may be anywhere
const SODIUM_PATH = createRequire(import.meta.url).resolve('sodium-native')

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads')
const sodium = require(${JSON.stringify(SODIUM_PATH)})
parentPort.on('message', ({ id, count, records }) => {
  const bytes = Buffer.from(records)
  const valid = new Uint8Array(count)
  for (let i = 0, at = 0; i < count; i++) {
    const key = bytes.subarray(at, at + ${PUBLIC_KEY_BYTES})
    const signature = bytes.subarray(at + ${PUBLIC_KEY_BYTES}, at + ${PUBLIC_KEY_BYTES + SIGNATURE_BYTES})
    const length = bytes.readUInt32BE(at + ${PUBLIC_KEY_BYTES + SIGNATURE_BYTES})
    const message = bytes.subarray(at + ${RECORD_HEADER_BYTES}, at + ${RECORD_HEADER_BYTES} + length)
    valid[i] = sodium.crypto_sign_verify_detached(signature, message, key) ? 1 : 0
    at += ${RECORD_HEADER_BYTES} + length
  }
  parentPort.postMessage({ id, valid }, [valid.buffer])
})
`

const wellFormed = (item: SignedMessage) => item.publicKey.length === PUBLIC_KEY_BYTES && item.signature.length === SIGNATURE_BYTES

/** The share as the worker reads it (a malformed item's key and signature left zero: its verdict is false whatever the worker says). */
function packShare(items: readonly SignedMessage[]): ArrayBuffer {
  const records = new Uint8Array(items.reduce((sum, item) => sum + RECORD_HEADER_BYTES + item.message.length, 0))
  const view = new DataView(records.buffer)
  let at = 0
  for (const item of items) {
    if (wellFormed(item)) {
      records.set(item.publicKey, at)
      records.set(item.signature, at + PUBLIC_KEY_BYTES)
    }
    view.setUint32(at + PUBLIC_KEY_BYTES + SIGNATURE_BYTES, item.message.length)
    records.set(item.message, at + RECORD_HEADER_BYTES)
    at += RECORD_HEADER_BYTES + item.message.length
  }
  return records.buffer
}

/** Holds worker threads until close(): close it when done, or the process keeps running. */
export class ParallelVerifier {
  private readonly workers: Worker[]
  private readonly local = new SignatureVerifier()
  private readonly pending = new Map<number, (valid: Uint8Array) => void>()
  private nextId = 0

  /**
   * `verifyHere`: this thread takes a share too. A caller whose thread has other work to do
   * meanwhile (a sync reads and stores the batch before) leaves it all to the workers.
   */
  constructor(
    workerCount = Math.max(1, availableParallelism() - 1),
    private readonly verifyHere = true
  ) {
    this.workers = Array.from({ length: workerCount }, () => {
      const worker = new Worker(WORKER_SOURCE, { eval: true })
      worker.on('message', ({ id, valid }: { id: number; valid: Uint8Array }) => {
        this.pending.get(id)?.(valid)
        this.pending.delete(id)
      })
      return worker
    })
  }

  /** Verifies all, this thread taking an equal share (if it verifies too) while the workers take theirs. */
  async verifyAll(items: readonly SignedMessage[]): Promise<boolean[]> {
    const here = this.verifyHere ? 1 : 0
    const size = Math.ceil(items.length / (this.workers.length + here))
    const remote = this.workers.map((worker, w) => {
      const part = items.slice((w + here) * size, (w + here + 1) * size)
      if (part.length === 0) return Promise.resolve(new Uint8Array(0))
      const id = this.nextId++
      return new Promise<Uint8Array>((resolve) => {
        this.pending.set(id, resolve)
        const records = packShare(part)
        worker.postMessage({ id, count: part.length, records }, [records])
      })
    })
    const mine = items.slice(0, here * size).map((item) => this.local.verify(item.publicKey, item.message, item.signature))
    const theirs = await Promise.all(remote)
    const remoteVerdicts = theirs.flatMap((valid) => Array.from(valid, (v) => v === 1))
    return [...mine, ...remoteVerdicts.map((holds, i) => holds && wellFormed(items[mine.length + i]!))]
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()))
  }
}
