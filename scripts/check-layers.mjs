// Lint step: fails when an import crosses a layer the wrong way (DESIGN.md, "Processes and layers").
import { fileURLToPath } from 'node:url'
import { checkLayers } from './layers.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const problems = checkLayers(root)
for (const problem of problems) console.error(`layers: ${problem}`)
if (problems.length) process.exit(1)
console.log('layers: every import points the way DESIGN.md allows')
