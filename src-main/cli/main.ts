// The dv2g command: offline analysis and operations on the same core as the desktop app.
import { defaultDataDir } from '../core/dataDir'
import { parseArgs, stringOption, UsageError } from './args'
import { COMMANDS, GLOBAL_USAGE } from './commandTable'
import { createOutput, type Output } from './output'
import { exitStatusOf } from './exitStatus'

/** Splits the global options (anywhere on the line) from the command and its own options. */
function splitGlobal(argv: readonly string[]): { dataDir?: string; json: boolean; help: boolean; rest: string[] } {
  const rest: string[] = []
  let dataDir: string | undefined
  let json = false
  let help = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--json') json = true
    else if (arg === '--help' || arg === '-h') help = true
    else if (arg === '--data-dir' || arg.startsWith('--data-dir=')) {
      const parsed = parseArgs(arg.includes('=') ? [arg] : [arg, ...argv.slice(i + 1, i + 2)], { 'data-dir': { value: true } })
      dataDir = stringOption(parsed, 'data-dir')
      if (!arg.includes('=')) i++
    } else rest.push(arg)
  }
  return { dataDir, json, help, rest }
}

export async function main(argv: readonly string[]): Promise<number> {
  let json = argv.includes('--json')
  const out = () => createOutput(json)
  try {
    const global = splitGlobal(argv)
    json = global.json
    const [name, ...commandArgs] = global.rest
    if (!name) {
      process.stdout.write(`${GLOBAL_USAGE}\n`)
      return global.help ? 0 : 2
    }
    const command = COMMANDS.get(name)
    if (!command) throw new UsageError(`unknown command ${JSON.stringify(name)}; run dv2g --help for the list`)
    if (global.help) {
      process.stdout.write(`${command.usage}\n`)
      return 0
    }
    return await command.run(commandArgs, out(), global.dataDir ?? defaultDataDir())
  } catch (error) {
    report(out(), error instanceof Error ? error.message : String(error))
    return exitStatusOf(error)
  }
}

/** One clear line on stderr; with --json also an {"error"} object on stdout for scripts. */
function report(out: Output, message: string): void {
  out.note(`dv2g: ${message}`)
  if (out.json) process.stdout.write(`${JSON.stringify({ error: message })}\n`)
}
