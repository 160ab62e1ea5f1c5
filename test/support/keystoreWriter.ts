// Keeps adding wallets to a keystore until killed: for the crash test of atomic keystore writes.
import { Keystore } from '../../src-main/core/wallet/keystore'

const [path, passphrase] = process.argv.slice(2)
const keystore = new Keystore(path!)
keystore.unlock(passphrase!)
for (let i = 0; ; i++) {
  keystore.create(`ev ${i}`, 'ev')
  if (i === 0) process.stderr.write('writing\n')
}
