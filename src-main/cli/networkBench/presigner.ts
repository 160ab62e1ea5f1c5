// Transactions signed before they are offered to the network, as wallets and agents sign their
// own: the bench measures what the nodes carry and verify, not how fast one node can sign and
// do proof of work. A ledger of its own, started from a copy of the operator's genesis, picks
// the parents, so every transaction is valid on the nodes in the order it was made.
import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { copyFileSync } from 'node:fs'
import { join } from 'node:path'
import { DATABASE_FILE_NAME } from '../../core/app'
import { openDatabase, type Db } from '../../core/db/connection'
import { addressOf } from '../../core/ledger/address'
import { Ledger } from '../../core/ledger/ledger'
import { publicKeyBytes } from '../../core/ledger/signing'
import { TxKind } from '../../core/ledger/transaction'
import { encodeAddress } from '../../core/wallet/keys'

const BATCH = 500

export class Presigner {
  private readonly db: Db
  private readonly ledger: Ledger
  private readonly key: KeyObject = generateKeyPairSync('ed25519').privateKey
  private made = 0

  /** `operatorDir` must be closed: its database, genesis included, is copied as it is on disk. */
  constructor(operatorDir: string, ownDir: string) {
    const file = join(ownDir, DATABASE_FILE_NAME)
    copyFileSync(join(operatorDir, DATABASE_FILE_NAME), file)
    this.db = openDatabase(file)
    this.ledger = new Ledger(this.db)
  }

  /** The wallet address of the key it signs with, as the operator registers it. */
  get address(): string {
    return encodeAddress(addressOf(publicKeyBytes(this.key)))
  }

  /** `count` new data transactions, parents first, as base64. */
  sign(count: number): string[] {
    const from = this.ledger.size
    for (let done = 0; done < count; done += BATCH) {
      const size = Math.min(BATCH, count - done)
      this.ledger.attachMany(
        this.key,
        Array.from({ length: size }, () => ({ kind: TxKind.Data, topic: 'bench', body: new TextEncoder().encode(String(this.made++)) }))
      )
    }
    const bytes = this.db.prepare<[number], Buffer>('SELECT bytes FROM transaction_bodies WHERE seq > ? ORDER BY seq').pluck().all(from)
    return bytes.map((b) => b.toString('base64'))
  }

  close(): void {
    this.ledger.closeIngest('the bench is done')
    this.db.close()
  }
}
