// Reading a JSON input file (a scenario, a slot) against its schema: every refusal names the
// file and the JSON path of what is wrong, so the operator can go straight to it.
import { readFileSync } from 'node:fs'
import type { z } from 'zod'
import { describeIssues } from '../../src-shared/market/scenario'
import { Dv2gError, type RefusalOptions } from '../../src-shared/errors'

export class InputFileError extends Dv2gError {
  constructor(message: string, options: RefusalOptions = {}) {
    super(options.code ?? 'invalid_argument', message, options)
  }
}

/** `shownAs` names the file in messages, when the full path is not for the reader's eyes. */
export function readJsonFile<S extends z.ZodType>(path: string, schema: S, shownAs = path): z.infer<S> {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new InputFileError(`cannot read ${shownAs}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
  }
  let raw: unknown
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''))
  } catch (error) {
    throw new InputFileError(`${shownAs} is not valid JSON: ${(error as Error).message}`)
  }
  const parsed = schema.safeParse(raw)
  if (!parsed.success) throw new InputFileError(`${shownAs}: ${describeIssues(parsed.error, 3).join('; ')}`)
  return parsed.data
}
