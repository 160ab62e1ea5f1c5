// Claims data dirs when told, all claimers at one instant: for the race test of the lock's takeover.
// Reads "claim ROUND DIR START_AT_MS" lines; answers "won ROUND", "held ROUND" or "failed ROUND MESSAGE".
// A won lock is kept (this process stays alive), so a second winner of the round would be a second owner.
import { createInterface } from 'node:readline'
import { claimDataDir, DataDirHeldError } from '../../src-main/core/owner/lock'

const name = process.argv[2] ?? 'claimer'
process.stdout.write('ready\n')
createInterface({ input: process.stdin }).on('line', (line) => {
  const [command, round, dir, startAt] = line.split(' ')
  if (command !== 'claim' || !round || !dir || !startAt) return
  // spinning, not sleeping: a timer would start the claimers milliseconds apart
  while (Date.now() < Number(startAt));
  let answer: string
  try {
    claimDataDir(dir, name)
    answer = `won ${round}`
  } catch (error) {
    answer =
      error instanceof DataDirHeldError ? `held ${round}` : `failed ${round} ${error instanceof Error ? error.message : String(error)}`
  }
  process.stdout.write(`${answer}\n`)
})
