import { Dv2gError, type RefusalOptions } from '../../src-shared/errors'
// A small, strict option parser: every mistake names the option it is about, which node's
// util.parseArgs does not do for values that look like options or numbers that are not.

export class UsageError extends Dv2gError {
  constructor(message: string, options: RefusalOptions = {}) {
    super(options.code ?? 'invalid_argument', message, options)
    this.name = 'UsageError'
  }
}

export interface OptionSpec {
  /** takes a value (--name VALUE or --name=VALUE); otherwise a flag */
  value: boolean
}

export interface ParsedArgs {
  options: Map<string, string | true>
  positionals: string[]
}

const looksLikeOption = (arg: string) => /^--?[A-Za-z]/.test(arg)

export function parseArgs(argv: readonly string[], spec: Readonly<Record<string, OptionSpec>>): ParsedArgs {
  const options = new Map<string, string | true>()
  const positionals: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1))
      break
    }
    if (!looksLikeOption(arg)) {
      positionals.push(arg)
      continue
    }
    const [flag, inlineValue] = splitInline(arg)
    const name = flag.replace(/^--?/, '')
    const option = spec[name]
    if (!option) throw new UsageError(`unknown option ${flag}`)
    if (options.has(name)) throw new UsageError(`${flag} is given more than once`)
    if (!option.value) {
      if (inlineValue !== undefined) throw new UsageError(`${flag} takes no value`)
      options.set(name, true)
      continue
    }
    const value = inlineValue ?? argv[i + 1]
    if (value === undefined || (inlineValue === undefined && looksLikeOption(value))) {
      throw new UsageError(`${flag} needs a value`)
    }
    if (inlineValue === undefined) i++
    options.set(name, value)
  }
  return { options, positionals }
}

function splitInline(arg: string): [string, string | undefined] {
  const eq = arg.indexOf('=')
  return eq < 0 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)]
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i

/** A decimal number as an operator types it; anything else is refused with the option's name. */
export function numberOption(args: ParsedArgs, name: string): number | undefined {
  const raw = args.options.get(name)
  if (raw === undefined) return undefined
  if (raw === true || !NUMBER.test(raw.trim())) {
    throw new UsageError(`--${name} expects a number, got ${JSON.stringify(raw === true ? '' : raw)}`)
  }
  return Number(raw)
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const raw = args.options.get(name)
  return typeof raw === 'string' ? raw : undefined
}

export function requireOption<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new UsageError(`missing --${name}`)
  return value
}
