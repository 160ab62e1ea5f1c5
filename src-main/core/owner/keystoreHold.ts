// A run that settles as it clears signs long after the call that started it returned: the owner
// keeps its keystore open for such runs, and locks it again after the last one ends when it was
// locked before the first began. The operator may still lock it meanwhile; later slots then fail
// to settle, each with its reason, and stay open for dv2g market settle.
import type { Keystore } from '../wallet/keystore'

interface Hold {
  runs: number
  lockAfter: boolean
}

const holds = new WeakMap<Keystore, Hold>()

/** Opens the keystore with the passphrase (refusing a wrong one) and keeps it open until the returned release. */
export function holdKeystoreOpen(keystore: Keystore, passphrase: string): () => void {
  const hold = holds.get(keystore) ?? { runs: 0, lockAfter: !keystore.isUnlocked }
  keystore.unlock(passphrase)
  hold.runs++
  holds.set(keystore, hold)
  let released = false
  return () => {
    if (released) return
    released = true
    if (--hold.runs > 0) return
    holds.delete(keystore)
    if (hold.lockAfter) keystore.lock()
  }
}
