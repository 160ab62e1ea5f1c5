import { describe, expect, it } from 'vitest'
import { escapeControlCharacters, firstControlCharacter } from '../../../src-shared/controlChars'
import { NAME_MAX_LENGTH, nameProblem, nameSchema, RESERVED_NAMES } from '../../../src-shared/names'

const refusal = (value: unknown) => {
  const parsed = nameSchema().safeParse(value)
  return parsed.success ? undefined : parsed.error.issues.map((i) => i.message)
}

describe('the rule for names and ids', () => {
  it('takes ordinary names, trimmed by the schema', () => {
    for (const name of ['treasury', 'EV 12', 'grid-G1', 'CP_001.a', 'Zähler Süd', '電動車', 'a'.repeat(NAME_MAX_LENGTH)])
      expect(nameProblem('name', name)).toBeUndefined()
    expect(nameSchema().parse('  bus  ')).toBe('bus')
  })

  it('refuses the names a plain object already has, naming what was refused', () => {
    expect(nameProblem('wallet name', '__proto__')).toBe('wallet name "__proto__" is reserved')
    expect(nameProblem('EV id', 'constructor')).toBe('EV id "constructor" is reserved')
    expect(refusal('prototype')).toEqual(['"prototype" is reserved'])
    expect(refusal(' __proto__ ')).toEqual(['"__proto__" is reserved'])
    // every name a fresh object answers to is in the list, so none of them reads one of its members
    for (const name of Object.getOwnPropertyNames(Object.prototype)) expect(RESERVED_NAMES.has(name), name).toBe(true)
    // a name that only looks like one is fine: it is not a member of any object
    expect(nameProblem('wallet name', '__Proto__')).toBeUndefined()
  })

  it('refuses control characters (C0, DEL, C1) and shows them escaped in the message', () => {
    expect(nameProblem('meter id', '\x1b[8mhidden\x1b[0m')).toBe('meter id "\\x1b[8mhidden\\x1b[0m" holds a control character (U+001B)')
    expect(nameProblem('charger id', 'CP\x7f1')).toBe('charger id "CP\\x7f1" holds a control character (U+007F)')
    expect(nameProblem('charger id', 'CP\u009b1')).toBe('charger id "CP\\x9b1" holds a control character (U+009B)')
    for (const c of ['\0', '\t', '\n', '\r', '\x1f']) expect(nameProblem('id', `a${c}b`)).toMatch(/holds a control character/)
    // inside the name, not at its ends, so trimming cannot remove them first
    expect(refusal('a\tb')).toEqual(['"a\\x09b" holds a control character (U+0009)'])
  })

  it('refuses empty and whitespace-only names', () => {
    expect(nameProblem('wallet name', '')).toBe('wallet name is empty')
    expect(nameProblem('wallet name', ' \u00a0 ')).toBe('wallet name is empty')
    expect(refusal('   ')).toEqual(['must not be empty'])
  })

  it(`refuses names longer than ${NAME_MAX_LENGTH} characters, quoting only their start`, () => {
    const long = 'x'.repeat(NAME_MAX_LENGTH + 1)
    expect(nameProblem('participant id', long)).toBe(`participant id "${'x'.repeat(40)}…" is longer than ${NAME_MAX_LENGTH} characters`)
    expect(refusal(long)).toHaveLength(1)
  })

  it('refuses what is not a string', () => {
    expect(refusal(42)).toEqual(['must be a string'])
    expect(refusal(null)).toEqual(['must be a string'])
  })

  it('reports one problem per name, even with a narrower rule chained after it', () => {
    const chargerId = nameSchema().regex(/^[A-Za-z0-9._-]{1,48}$/, { message: 'must be letters, digits, dots, dashes or underscores' })
    expect(chargerId.safeParse('\x1b[2J').error?.issues).toHaveLength(1)
    expect(chargerId.safeParse('__proto__').error?.issues.map((i) => i.message)).toEqual(['"__proto__" is reserved'])
  })
})

describe('control characters in output', () => {
  it('are written as visible \\xNN escapes, line feeds kept where asked', () => {
    expect(escapeControlCharacters('a\x1b[31mred\x1b[0m\r\n\x07\x7f\u0085')).toBe('a\\x1b[31mred\\x1b[0m\\x0d\\x0a\\x07\\x7f\\x85')
    expect(escapeControlCharacters('line 1\nline 2\r', { keepNewlines: true })).toBe('line 1\nline 2\\x0d')
    expect(escapeControlCharacters('C:\\data\\meter.csv — Zähler')).toBe('C:\\data\\meter.csv — Zähler')
  })

  it('finds the first one by code point', () => {
    expect(firstControlCharacter('ok')).toBeUndefined()
    expect(firstControlCharacter('a\u009bb\x1b')).toBe('U+009B')
  })
})
