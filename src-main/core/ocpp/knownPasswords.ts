// Passwords that have passed the slow check (scrypt) once, remembered as a keyed digest in memory,
// so that a charger reconnecting with its right password is let in at once and without a hash,
// even while someone spends the password checks of its id on guesses. An entry holds for the
// stored hash it was checked against: a new password (or a charger removed and added again)
// leaves it void. Nothing of this is written anywhere; a restart starts empty.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

interface Entry {
  storedHash: string
  digest: Buffer
}

export class KnownPasswords {
  // a key of this process: the digests mean nothing outside it
  private readonly key = randomBytes(32)
  private readonly entries = new Map<string, Entry>()

  constructor(private readonly maxEntries = 100_000) {}

  private digest(password: Buffer): Buffer {
    return createHmac('sha256', this.key).update(password).digest()
  }

  /** Whether this password passed the slow check against this stored hash before. */
  matches(chargerId: string, storedHash: string, password: Buffer): boolean {
    const entry = this.entries.get(chargerId)
    if (!entry || entry.storedHash !== storedHash) return false
    return timingSafeEqual(entry.digest, this.digest(password))
  }

  remember(chargerId: string, storedHash: string, password: Buffer): void {
    this.entries.delete(chargerId)
    this.entries.set(chargerId, { storedHash, digest: this.digest(password) })
    // the charger remembered longest ago goes first: it will pay one slow check when it is back
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!)
  }
}
