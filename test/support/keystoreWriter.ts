// Keeps adding wallets to a keystore until killed: for the crash test of atomic keystore writes.
import { Keystore } from '../../src-main/core/wallet/keystore'

const [path, passphrase] = process.argv.slice(2)
const keystore = new Keystore(path!)
keystore.unlock(passphrase!)
for (let i = 0; ; i++) {
  keystore.create(`ev ${i}`, 'ev')
  // one line per keystore saved, so the test can kill it mid-write after a count, not a time
  process.stderr.write(`saved ${i + 1}\n`)
}
