// The dv2g command: offline analysis and operations on the same core as the desktop app.
import { defaultDataDir } from '../core/dataDir'
import { InputFileError } from '../core/inputFile'
import { DataDirHeldError } from '../core/owner/lock'
import { parseArgs, stringOption, UsageError } from './args'
import { agentUsage, runAgent } from './commands/agent'
import { ocppUsage, runOcpp } from './commands/ocpp'
import { benchUsage, runBench } from './commands/bench'
import { esuUsage, runEsu } from './commands/esu'
import { importUsage, runImport } from './commands/import'
import { marketUsage, runMarket } from './commands/market'
import { meterUsage, runMeter } from './commands/meter'
import { networkUsage, peersUsage, runNetwork, runPeers } from './commands/network'
import { nodeUsage, runNode } from './commands/node'
import { runServe, serveUsage } from './commands/serve'
import { runSimulate, simulateUsage } from './commands/simulate'
import { runTangle, tangleUsage } from './commands/tangle'
import { runWallet, walletUsage } from './commands/wallet'
import { createOutput, type Output } from './output'
import { EXIT_HELD } from './writer'

type Command = (argv: readonly string[], out: Output, dataDir: string) => number | Promise<number>

const commands: Record<string, { run: Command; usage: string }> = {
  serve: { run: runServe, usage: serveUsage },
  esu: { run: runEsu, usage: esuUsage },
  market: { run: runMarket, usage: marketUsage },
  simulate: { run: runSimulate, usage: simulateUsage },
  meter: { run: runMeter, usage: meterUsage },
  import: { run: runImport, usage: importUsage },
  tangle: { run: runTangle, usage: tangleUsage },
  wallet: { run: runWallet, usage: walletUsage },
  node: { run: runNode, usage: nodeUsage },
  agent: { run: runAgent, usage: agentUsage },
  ocpp: { run: runOcpp, usage: ocppUsage },
  peers: { run: runPeers, usage: peersUsage },
  network: { run: runNetwork, usage: networkUsage },
  bench: { run: runBench, usage: benchUsage }
}

const usage = `usage: dv2g [--data-dir DIR] [--json] <command> [options]

commands:
${Object.values(commands)
  .map((c) => `  ${c.usage.split('\n')[0]}`)
  .join('\n')}

--data-dir DIR  the data dir (default: the app's user-data folder, or $DV2G_DATA_DIR)
--json          machine-readable output on stdout
dv2g <command> --help shows a command's help.`

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
      process.stdout.write(`${usage}\n`)
      return global.help ? 0 : 2
    }
    const command = commands[name]
    if (!command) throw new UsageError(`unknown command ${JSON.stringify(name)}; run dv2g --help for the list`)
    if (global.help) {
      process.stdout.write(`${command.usage}\n`)
      return 0
    }
    return await command.run(commandArgs, out(), global.dataDir ?? defaultDataDir())
  } catch (error) {
    if (error instanceof UsageError || error instanceof InputFileError) {
      report(out(), error.message)
      return 2
    }
    if (error instanceof DataDirHeldError) {
      report(out(), error.message)
      return EXIT_HELD
    }
    report(out(), error instanceof Error ? error.message : String(error))
    return 1
  }
}

/** One clear line on stderr; with --json also an {"error"} object on stdout for scripts. */
function report(out: Output, message: string): void {
  out.note(`dv2g: ${message}`)
  if (out.json) process.stdout.write(`${JSON.stringify({ error: message })}\n`)
}
