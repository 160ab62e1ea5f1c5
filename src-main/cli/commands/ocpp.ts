import { parseArgs, requireOption, stringOption, UsageError } from '../args'
import type { Output } from '../output'
import { runWrite } from '../writer'

export const ocppUsage = `dv2g ocpp add --id ID [--password P] [--discharge-by-negative-limit] [--prosumer ID] | remove --id ID | chargers [--json]
  The chargers of this data dir's OCPP central system (dv2g serve or dv2g node with --ocpp-listen,
  or the app with OCPP on in Settings); a running one is changed through its channel.
  add: registers a charger id; it logs in with Basic auth and the password (16-40 printable
    characters; one is made and printed when none is given, shown this once, stored hashed).
    --discharge-by-negative-limit  the charger (OCPP 1.6 or 2.0.1) reads a negative limit as
    discharge; without it a discharge is sent as 0 and the Chargers view says so (2.1 chargers
    get setpoints and need no flag). --prosumer  the market participant its sessions stand for.
  remove: unregisters it and closes its connection.
  chargers: each charger, its protocol and connectors: status, session, power, SoC, energy
    registers and the last profile sent with the charger's answer.`

export async function runOcpp(argv: readonly string[], out: Output, dataDir: string): Promise<number> {
  const [sub, ...rest] = argv
  if (sub === 'add') return add(rest, out, dataDir)
  if (sub === 'remove') return remove(rest, out, dataDir)
  if (sub === 'chargers') return chargers(rest, out, dataDir)
  throw new UsageError(
    sub ? `unknown ocpp command ${JSON.stringify(sub)}; use add, remove or chargers` : 'ocpp needs a command: add, remove or chargers'
  )
}

async function add(argv: readonly string[], out: Output, dataDir: string): Promise<number> {
  const args = parseArgs(argv, {
    id: { value: true },
    password: { value: true },
    'discharge-by-negative-limit': { value: false },
    prosumer: { value: true }
  })
  if (args.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`)
  const id = requireOption(stringOption(args, 'id'), 'id')
  const password = stringOption(args, 'password')
  const input = {
    id,
    ...(password === undefined ? {} : { password }),
    dischargeByNegativeLimit: args.options.has('discharge-by-negative-limit'),
    prosumer: stringOption(args, 'prosumer') ?? null
  }
  const { charger, password: given } = await runWrite(dataDir, 'ocpp add', 'ocpp.add', input, out)
  out.result(
    { id: charger.id, password: given, dischargeByNegativeLimit: charger.dischargeByNegativeLimit, prosumer: charger.prosumer },
    () =>
      [
        `registered charger ${charger.id}${charger.prosumer ? ` for ${charger.prosumer}` : ''}${charger.dischargeByNegativeLimit ? ', reading a negative limit as discharge' : ''}`,
        password === undefined ? `its password (shown this once): ${given}` : 'it logs in with the password given'
      ].join('\n')
  )
  return 0
}

async function remove(argv: readonly string[], out: Output, dataDir: string): Promise<number> {
  const args = parseArgs(argv, { id: { value: true } })
  if (args.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`)
  const id = requireOption(stringOption(args, 'id'), 'id')
  const result = await runWrite(dataDir, 'ocpp remove', 'ocpp.remove', { id }, out)
  out.result(result, () => `removed charger ${id}`)
  return 0
}

async function chargers(argv: readonly string[], out: Output, dataDir: string): Promise<number> {
  const args = parseArgs(argv, {})
  if (args.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])}`)
  const list = await runWrite(dataDir, 'ocpp chargers', 'ocpp.chargers', {}, out)
  const value = (v: number | null, unit: string, scale = 1) => (v === null ? '-' : `${(v / scale).toFixed(scale === 1 ? 0 : 2)} ${unit}`)
  out.result(list, () =>
    list.length === 0
      ? 'no chargers registered (dv2g ocpp add --id ID)'
      : list
          .flatMap((c) => [
            `${c.id}  ${c.connected ? 'connected' : 'not connected'}${c.protocol ? ` (${c.protocol})` : ''}`,
            ...c.connectors.map(
              (k) =>
                `  connector ${k.id}: ${k.status ?? '-'}, session ${k.session ?? '-'}, ${value(k.powerW, 'kW', 1000)}, SoC ${value(k.socPercent, '%')}, in ${value(k.energyImportWh, 'kWh', 1000)}, out ${value(k.energyExportWh, 'kWh', 1000)}` +
                (k.lastProfile ? `, last profile ${k.lastProfile.setpointW} W ${k.lastProfile.status}` : '')
            )
          ])
          .join('\n')
  )
  return 0
}
