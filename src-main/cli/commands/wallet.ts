import { join, resolve } from 'node:path'
import { KEYSTORE_FILE_NAME, type LedgerServices } from '../../core/app'
import { nameProblem } from '../../../src-shared/names'
import { KeyInputError } from '../../core/wallet/keys'
import { Keystore, KeystoreError, ROLES, type Role } from '../../core/wallet/keystore'
import { parseArgs, requireOption, stringOption, UsageError, type OptionSpec } from '../args'
import { table, type Output } from '../output'
import { readPassphrase } from '../passphrase'
import { withApp } from '../withApp'
import { runWrite } from '../writer'

export const walletUsage = `dv2g wallet create --name N --role ev|grid|operator [--mnemonic "24 words"] | list | balance NAME | send --from NAME --to ADDRESS --amount X
  Wallets of the data dir. The first operator wallet of an empty tangle is the treasury: the genesis
  mints the whole supply to it. The keystore passphrase comes from DV2G_PASSPHRASE or a prompt.`

/** Amounts are whole base units: "12.5" or "1e3" are refused rather than rounded. */
function baseUnits(raw: string | undefined): bigint {
  const value = requireOption(raw, 'amount')
  if (!/^\d+$/.test(value)) throw new UsageError(`--amount must be a whole number of base units (got ${JSON.stringify(value)})`)
  return BigInt(value)
}

/** Maps keystore refusals to the options they are about. */
async function refusalsAsUsage<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    if (error instanceof KeystoreError) throw new UsageError(error.message)
    if (error instanceof KeyInputError) throw new UsageError(`--${error.field === 'address' ? 'to' : 'mnemonic'} ${error.message}`)
    throw error
  }
}

/** Reads the wallets without writing: safe beside the app that owns the data dir. */
const readWallets = <T>(dataDir: string, work: (services: LedgerServices) => T) =>
  refusalsAsUsage(() => withApp(dataDir, (app) => work(app.ledger()), { readOnly: true }))

/** Whether the keystore has no passphrase yet, read from its file: the owner may hold the database. */
const keystoreIsNewIn = (dataDir: string) => new Keystore(join(resolve(dataDir), KEYSTORE_FILE_NAME)).isNew

const passphrase = (keystoreIsNew: boolean) => readPassphrase(keystoreIsNew ? 'New keystore passphrase: ' : 'Keystore passphrase: ')

const specs: Record<string, Record<string, OptionSpec>> = {
  create: { name: { value: true }, role: { value: true }, mnemonic: { value: true } },
  list: {},
  balance: {},
  send: { from: { value: true }, to: { value: true }, amount: { value: true } }
}

export async function runWallet(argv: readonly string[], out: Output, dataDir: string): Promise<number> {
  const [sub, ...rest] = argv
  const spec = sub ? specs[sub] : undefined
  if (!spec)
    throw new UsageError(
      `${sub ? `unknown wallet command ${JSON.stringify(sub)}` : 'missing wallet command'}; one of: ${Object.keys(specs).join(', ')}`
    )
  const args = parseArgs(rest, spec)

  if (sub === 'create') {
    const name = requireOption(stringOption(args, 'name'), 'name')
    const nameRefused = nameProblem('wallet name', name.trim())
    if (nameRefused) throw new UsageError(nameRefused)
    const role = requireOption(stringOption(args, 'role'), 'role') as Role
    if (!ROLES.includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')} (got ${JSON.stringify(role)})`)
    const mnemonic = stringOption(args, 'mnemonic')
    const keystoreIsNew = await refusalsAsUsage(async () => keystoreIsNewIn(dataDir))
    const input = { name, role, ...(mnemonic === undefined ? {} : { mnemonic }), passphrase: await passphrase(keystoreIsNew) }
    const result = await refusalsAsUsage(() => runWrite(dataDir, 'wallet create', 'wallet.create', input, out))
    const minted = result.treasury
    out.result({ ...result.wallet, ...('mnemonic' in result ? { mnemonic: result.mnemonic } : {}), treasury: minted }, () =>
      [
        `created ${result.wallet.role} wallet "${result.wallet.name}": ${result.wallet.address}`,
        ...('mnemonic' in result ? [`mnemonic (write it down; it is shown once): ${result.mnemonic}`] : []),
        ...(minted ? ['this is the treasury: the genesis minted the whole supply to it'] : [])
      ].join('\n')
    )
    return 0
  }

  if (sub === 'list') {
    const list = await readWallets(dataDir, ({ wallets }) => wallets.list())
    out.result(
      list.map((w) => ({ ...w, balance: w.balance.toString() })),
      () =>
        list.length ? table(list.map((w) => [`${w.name} (${w.role})`, w.balance.toString(), w.address])) : 'no wallets in this data dir'
    )
    return 0
  }

  if (sub === 'balance') {
    const name = args.positionals[0]
    if (!name) throw new UsageError('wallet balance needs a wallet name')
    const balance = await readWallets(dataDir, ({ wallets }) => wallets.balance(name))
    out.result({ name, balance: balance.toString() }, () => `${name}: ${balance} base units`)
    return 0
  }

  const from = requireOption(stringOption(args, 'from'), 'from')
  const to = requireOption(stringOption(args, 'to'), 'to')
  const amount = baseUnits(stringOption(args, 'amount'))
  const { id } = await runWrite(
    dataDir,
    'wallet send',
    'wallet.send',
    { from, to, amount: amount.toString(), passphrase: await passphrase(false) },
    out
  )
  out.result({ id, amount: amount.toString(), from, to }, () => `sent ${amount} base units from ${from} to ${to}: transaction ${id}`)
  return 0
}
