import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { COMMANDS } from '../../../../src-main/cli/commandTable'
import { cliReference, withCurrentReference } from '../../../../src-main/cli/reference'

const page = readFileSync(new URL('../../../../docs/cli.md', import.meta.url), 'utf8')

describe('docs/cli.md', () => {
  it("holds every command's help as the command prints it (npm run docs:cli writes it)", () => {
    expect(withCurrentReference(page), "docs/cli.md is behind the commands' help: run npm run docs:cli").toBe(page)
  })

  it('has a section for every command', () => {
    for (const name of COMMANDS.keys()) expect(cliReference()).toContain(`### dv2g ${name}\n`)
  })
})
