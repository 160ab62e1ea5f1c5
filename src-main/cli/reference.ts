// docs/cli.md's reference part, made from the commands' own help: the page cannot say what the
// command does not (test/unit/main/cli/reference.test.ts keeps the two equal).
import { COMMANDS, GLOBAL_USAGE } from './commandTable'

export const REFERENCE_START = "<!-- reference: made by `npm run docs:cli` from the commands' help; edit the help, not this -->"
export const REFERENCE_END = '<!-- end of reference -->'

/** Markdown: the global usage, then each command's help under its own heading. */
export function cliReference(): string {
  const fence = (text: string) => ['```text', text, '```'].join('\n')
  const sections = [...COMMANDS].map(([name, { usage }]) => `### dv2g ${name}\n\n${fence(usage)}`)
  return [REFERENCE_START, '', fence(GLOBAL_USAGE), '', ...sections.flatMap((s) => [s, '']), REFERENCE_END].join('\n')
}

/** The page with its reference part replaced by the one the help makes now. */
export function withCurrentReference(page: string): string {
  const start = page.indexOf(REFERENCE_START)
  const end = page.indexOf(REFERENCE_END)
  if (start < 0 || end < start) throw new Error(`the page has no reference part between ${REFERENCE_START} and ${REFERENCE_END}`)
  return page.slice(0, start) + cliReference() + page.slice(end + REFERENCE_END.length)
}
