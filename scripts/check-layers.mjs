// Lint step: fails when an import crosses a layer the wrong way (docs/architecture.md "Layers and import rules").
import { fileURLToPath } from 'node:url'
import { checkLayers } from './layers.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const problems = checkLayers(root)
for (const problem of problems) console.error(`layers: ${problem}`)
if (problems.length) process.exit(1)
console.log('layers: every import points the way docs/architecture.md allows')
