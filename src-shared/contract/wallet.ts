// The wallets of the keystore: create, import, unlock, send and their history.
import { z } from 'zod'
import { nameSchema } from '../names'
import { baseUnitsSchema, method, noInput, txIdSchema } from './common'
import { txStatusSchema } from './tangle'

export const roleSchema = z.enum(['operator', 'grid', 'ev'], { error: 'must be operator, grid or ev' })
const walletNameSchema = z
  .string({ error: 'must be a string' })
  .trim()
  .regex(/^[\w .-]{1,64}$/, { message: 'must be 1 to 64 letters, digits, spaces, dots, dashes or underscores' })
/** A wallet's name when it is made: the names rule too (a wallet an earlier release let through keeps working). */
const newWalletNameSchema = nameSchema().regex(/^[\w .-]{1,64}$/, {
  message: 'must be 1 to 64 letters, digits, spaces, dots, dashes or underscores'
})

export const walletSchema = z.object({
  name: z.string(),
  role: roleSchema,
  address: z.string(),
  balance: baseUnitsSchema,
  createdAt: z.string()
})
export type Wallet = z.infer<typeof walletSchema>

export const walletMethods = {
  'wallet.list': method(noInput, z.object({ unlocked: z.boolean(), newKeystore: z.boolean(), wallets: z.array(walletSchema) })),
  'wallet.unlock': method(
    z.object({ passphrase: z.string().min(1, { message: 'must not be empty' }).max(1024) }).strict(),
    z.object({ unlocked: z.literal(true) })
  ),
  'wallet.lock': method(noInput, z.object({ unlocked: z.literal(false) })),
  'wallet.create': method(
    z.object({ name: newWalletNameSchema, role: roleSchema }).strict(),
    z.object({ wallet: walletSchema, mnemonic: z.string(), treasury: z.boolean() })
  ),
  'wallet.import': method(
    z
      .object({ name: newWalletNameSchema, role: roleSchema, mnemonic: z.string().min(1, { message: 'must not be empty' }).max(1024) })
      .strict(),
    z.object({ wallet: walletSchema, treasury: z.boolean() })
  ),
  'wallet.send': method(
    z
      .object({ from: walletNameSchema, to: z.string().min(1, { message: 'must not be empty' }).max(512), amount: baseUnitsSchema })
      .strict(),
    z.object({ id: txIdSchema })
  ),
  'wallet.history': method(
    z.object({ name: walletNameSchema, limit: z.number().int().min(1).max(500).optional() }).strict(),
    z.array(
      z.object({
        id: txIdSchema,
        direction: z.enum(['in', 'out']),
        amount: baseUnitsSchema,
        status: txStatusSchema,
        receivedAt: z.number()
      })
    )
  )
} as const

export const walletEvents = {
  'wallet.changed': z.object({ unlocked: z.boolean() })
} as const
