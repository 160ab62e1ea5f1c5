// npm run docs:cli: writes the reference part of docs/cli.md from the commands' help.
import { readFileSync, writeFileSync } from 'node:fs'
import { withCurrentReference } from '../src-main/cli/reference'

const page = new URL('../docs/cli.md', import.meta.url)
writeFileSync(page, withCurrentReference(readFileSync(page, 'utf8')))
