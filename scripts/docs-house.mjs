// npm run docs:house: redraws the house of docs/architecture.md from the imports.
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { withCurrentHouse } from './house.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const page = new URL('../docs/architecture.md', import.meta.url)
writeFileSync(page, withCurrentHouse(readFileSync(page, 'utf8'), root))
