import { readFileSync } from 'node:fs'

/** A DSMR 5 telegram from test/fixtures/dsmr, ending in its CRC line. */
export const dsmr5Telegram = (): string => readFileSync('test/fixtures/dsmr/dsmr5-1.txt', 'latin1')

/** One telegram, then "/" lines up to `bytes`: each starts a telegram that never ends. */
export function startsWithoutEnds(bytes: number): string {
  const telegram = dsmr5Telegram()
  return telegram + '/\n'.repeat(Math.max(0, Math.floor((bytes - telegram.length) / 2)))
}
