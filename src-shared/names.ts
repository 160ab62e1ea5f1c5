// The one rule for the ids and names a user or a file supplies: wallet names, scenario EV and grid
// ids, charger ids, meter ids, market participant ids. They end up as keys (of Maps, of SQL rows,
// of other libraries' caches) and in terminals and logs, so a name holds no control character,
// is not a name every plain object already has, is not empty, and is at most NAME_MAX_LENGTH
// characters. Code still keeps names in Maps: this rule is the second line, not the only one.
import { z } from 'zod'
import { escapeControlCharacters, firstControlCharacter } from './controlChars'

/** UTF-16 code units, as String.length counts them; every ASCII name of up to 64 characters fits. */
export const NAME_MAX_LENGTH = 64

/**
 * What a plain object answers to before anything is stored in it: as keys they read or replace its
 * prototype or one of its methods (`byName["__proto__"]` is Object.prototype).
 */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  'toString',
  'valueOf',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__'
])

/** Long names are cut in messages: the message names what is wrong, not all of the name. */
const QUOTED_LENGTH = 40

/** A name in double quotes for a message, its control characters escaped, cut when long. */
export function quoteName(name: string): string {
  const cut = name.length > QUOTED_LENGTH ? `${name.slice(0, QUOTED_LENGTH)}…` : name
  return `"${escapeControlCharacters(cut)}"`
}

type Defect = { kind: 'empty' } | { kind: 'long' } | { kind: 'control'; codePoint: string } | { kind: 'reserved' }

/** The first thing wrong with a name (checked as given: callers that trim, trim first), or undefined. */
function defectOf(name: string): Defect | undefined {
  if (name.trim() === '') return { kind: 'empty' }
  const codePoint = firstControlCharacter(name)
  if (codePoint) return { kind: 'control', codePoint }
  if (name.length > NAME_MAX_LENGTH) return { kind: 'long' }
  if (RESERVED_NAMES.has(name.trim())) return { kind: 'reserved' }
  return undefined
}

/** The defect said of a quoted name: `"__proto__" is reserved`. */
function describe(name: string, defect: Exclude<Defect, { kind: 'empty' }>): string {
  if (defect.kind === 'control') return `${quoteName(name)} holds a control character (${defect.codePoint})`
  if (defect.kind === 'long') return `${quoteName(name)} is longer than ${NAME_MAX_LENGTH} characters`
  return `${quoteName(name)} is reserved`
}

/**
 * One line saying what is wrong with a name, naming what it is (`wallet name "__proto__" is
 * reserved`), or undefined when it passes the rule.
 */
export function nameProblem(what: string, name: string): string | undefined {
  const defect = defectOf(name)
  if (!defect) return undefined
  return defect.kind === 'empty' ? `${what} is empty` : `${what} ${describe(name, defect)}`
}

/**
 * What is wrong with a name, for a message that follows the field's path and so does not name the
 * field again ("evs[0].id: "__proto__" is reserved"), or undefined when it passes the rule.
 */
export function nameFieldProblem(name: string): string | undefined {
  const defect = defectOf(name)
  if (!defect) return undefined
  return defect.kind === 'empty' ? 'must not be empty' : describe(name, defect)
}

/** The rule as a zod schema: a string, trimmed, that passes it; messages as nameFieldProblem's. */
export function nameSchema() {
  return z
    .string({ error: 'must be a string' })
    .trim()
    .superRefine((name, ctx) => {
      const problem = nameFieldProblem(name)
      // later checks on the same string (a narrower charset) would only repeat the refusal
      if (problem) ctx.addIssue({ code: 'custom', message: problem, continue: false })
    })
}
