import { escapeControlCharacters } from '../../src-shared/controlChars'

export interface Output {
  json: boolean
  /** the result: JSON on stdout with --json, otherwise the human form */
  result(value: unknown, human: () => string): void
  /** progress and notes for people, on stderr so stdout stays machine-readable */
  note(line: string): void
}

/**
 * What people read goes through here, its control characters escaped: ids, cells and reasons
 * come from files and peers, and an ESC in one would otherwise reach the terminal as a command.
 */
export const forTerminal = (text: string) => escapeControlCharacters(text, { keepNewlines: true })

export function createOutput(json: boolean, stdout = process.stdout, stderr = process.stderr): Output {
  return {
    json,
    result(value, human) {
      stdout.write(json ? `${JSON.stringify(value)}\n` : `${forTerminal(human())}\n`)
    },
    note(line) {
      stderr.write(`${forTerminal(line)}\n`)
    }
  }
}

/** Left-aligned labels, right-aligned values, optional unit column. */
export function table(rows: ReadonlyArray<readonly [label: string, value: string, unit?: string]>): string {
  const labelWidth = Math.max(...rows.map(([label]) => label.length))
  const valueWidth = Math.max(...rows.map(([, value]) => value.length))
  return rows
    .map(([label, value, unit]) => `${label.padEnd(labelWidth)}  ${value.padStart(valueWidth)}${unit ? `  ${unit}` : ''}`)
    .join('\n')
}

export function significant(value: number, digits = 5): string {
  return Number(value.toPrecision(digits)).toString()
}
