// Charger passwords (OCPP security profiles 1 and 2: HTTP Basic auth) kept as salted scrypt
// hashes, so a copy of the database does not let anyone pose as a charger. Hashing runs on
// libuv's thread pool: a charger's handshake never blocks the event loop.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'
import { Dv2gError, type RefusalOptions } from '../../../src-shared/errors'

/** N = 2^14, r = 8: node's defaults, about 16 MiB and tens of milliseconds per hash. */
const COST = { N: 16_384, r: 8, p: 1 }
const KEY_BYTES = 32
const SALT_BYTES = 16

export class PasswordHashError extends Dv2gError {
  constructor(message: string, options: RefusalOptions = {}) {
    super(options.code ?? 'malformed', message, options)
  }
}

function derive(password: Buffer | string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_BYTES, { ...options, maxmem: 64 * 1024 * 1024 }, (error, key) => (error ? reject(error) : resolve(key)))
  })
}

/** `scrypt$N$r$p$salt$key`, salt and key in base64: the parameters travel with the hash. */
export async function hashPassword(password: Buffer | string): Promise<string> {
  const salt = randomBytes(SALT_BYTES)
  const key = await derive(password, salt, COST)
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64'), key.toString('base64')].join('$')
}

/** Whether the password matches the stored hash, compared in constant time. */
export async function verifyPassword(password: Buffer | string, stored: string): Promise<boolean> {
  const parts = stored.split('$')
  const [scheme, n, r, p, salt, key] = parts
  if (parts.length !== 6 || scheme !== 'scrypt' || !salt || !key)
    throw new PasswordHashError('a charger password hash is not scrypt$N$r$p$salt$key')
  const expected = Buffer.from(key, 'base64')
  const actual = await derive(password, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p) })
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}

/** A password for a charger the operator adds without one: 24 URL-safe characters (144 bits). */
export function newChargerPassword(): string {
  return randomBytes(18).toString('base64url')
}
