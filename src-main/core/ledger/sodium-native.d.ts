// What this project uses of sodium-native, which ships no types of its own.
declare module 'sodium-native' {
  /** true when the signature is the public key's over the message (lengths must be 64 and 32) */
  export function crypto_sign_verify_detached(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean
}
