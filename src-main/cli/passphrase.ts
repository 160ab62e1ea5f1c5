import { UsageError } from './args'

/** DV2G_PASSPHRASE, or a prompt on the terminal that does not echo what is typed. */
export async function readPassphrase(prompt: string): Promise<string> {
  const fromEnv = process.env.DV2G_PASSPHRASE
  if (fromEnv !== undefined) return fromEnv
  const stdin = process.stdin
  if (!stdin.isTTY) throw new UsageError('the keystore needs its passphrase: set DV2G_PASSPHRASE or run on a terminal')
  process.stderr.write(prompt)
  stdin.setRawMode(true)
  stdin.resume()
  return new Promise((resolve, reject) => {
    let typed = ''
    const done = (error?: Error) => {
      stdin.setRawMode(false)
      stdin.pause()
      stdin.off('data', onData)
      process.stderr.write('\n')
      if (error) reject(error)
      else resolve(typed)
    }
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return done()
        if (char === '\u0003') return done(new UsageError('cancelled'))
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1)
        else typed += char
      }
    }
    stdin.on('data', onData)
  })
}
