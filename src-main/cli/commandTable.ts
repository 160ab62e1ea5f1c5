// The dv2g commands and their help: what main dispatches, and what docs/cli.md is made from.
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
import type { Output } from './output'

export type Command = (argv: readonly string[], out: Output, dataDir: string) => number | Promise<number>

/** By name, in the order the help lists them; a Map, so no name typed on the line can reach a prototype. */
export const COMMANDS: ReadonlyMap<string, { run: Command; usage: string }> = new Map([
  ['serve', { run: runServe, usage: serveUsage }],
  ['esu', { run: runEsu, usage: esuUsage }],
  ['market', { run: runMarket, usage: marketUsage }],
  ['simulate', { run: runSimulate, usage: simulateUsage }],
  ['meter', { run: runMeter, usage: meterUsage }],
  ['import', { run: runImport, usage: importUsage }],
  ['tangle', { run: runTangle, usage: tangleUsage }],
  ['wallet', { run: runWallet, usage: walletUsage }],
  ['node', { run: runNode, usage: nodeUsage }],
  ['agent', { run: runAgent, usage: agentUsage }],
  ['ocpp', { run: runOcpp, usage: ocppUsage }],
  ['peers', { run: runPeers, usage: peersUsage }],
  ['network', { run: runNetwork, usage: networkUsage }],
  ['bench', { run: runBench, usage: benchUsage }]
])

export const GLOBAL_USAGE = `usage: dv2g [--data-dir DIR] [--json] <command> [options]

commands:
${[...COMMANDS.values()].map((c) => `  ${c.usage.split('\n')[0]}`).join('\n')}

--data-dir DIR  the data dir (default: the app's user-data folder, or $DV2G_DATA_DIR)
--json          machine-readable output on stdout
dv2g <command> --help shows a command's help.`
