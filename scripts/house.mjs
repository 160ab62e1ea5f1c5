// The house as its imports draw it: which face and which core domain imports which, read from
// the source, not from the rules. docs/architecture.md carries the drawing between two markers;
// `npm run docs:house` rewrites it and a test keeps it current.
import { readFileSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { coreDomainOf, coreDomains, importsOf, layerOf, layers, resolveFile, sourceFiles } from './layers.mjs'

export const HOUSE_START = '<!-- house:start (npm run docs:house) -->'
export const HOUSE_END = '<!-- house:end -->'

/** Helpers with no domain knowledge: every domain may use them, so drawing them adds only noise. */
const HELPERS = new Set(Object.entries(coreDomains).flatMap(([domain, allowed]) => (allowed.length === 0 ? [domain] : [])))

/** The room a file lives in: a face, src-shared, or a core domain (helpers left out). */
function roomOf(root, file) {
  const rel = relative(root, file).split(sep).join('/')
  const domain = coreDomainOf(rel)
  if (domain !== undefined) return HELPERS.has(domain) ? undefined : `core/${domain}`
  return layerOf(root, file)?.name
}

/** Every import between two different rooms, as "from -> to", sorted. */
export function houseEdges(root) {
  const edges = new Set()
  for (const layer of layers) {
    for (const file of sourceFiles(join(root, layer.dir))) {
      const from = roomOf(root, file)
      if (!from) continue
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        if (!spec.startsWith('.')) continue
        const target = resolveFile(file, spec)
        const to = target && roomOf(root, target)
        if (to && to !== from) edges.add(`${from} -> ${to}`)
      }
    }
  }
  return [...edges].sort()
}

const nodeId = (room) => room.replace(/[^a-zA-Z0-9]/g, '_')

/** The drawing as a Mermaid flowchart, faces on top, shared at the bottom. */
export function drawHouse(root) {
  const edges = houseEdges(root).map((edge) => edge.split(' -> '))
  const rooms = [...new Set(edges.flat())].sort()
  const lines = ['```mermaid', 'flowchart TD']
  for (const room of rooms) lines.push(`  ${nodeId(room)}["${room}"]`)
  for (const [from, to] of edges) lines.push(`  ${nodeId(from)} --> ${nodeId(to)}`)
  lines.push('```')
  return lines.join('\n')
}

/** The page with its drawing replaced by the current one; throws when the markers are missing. */
export function withCurrentHouse(page, root) {
  const start = page.indexOf(HOUSE_START)
  const end = page.indexOf(HOUSE_END)
  if (start < 0 || end < start) throw new Error(`docs/architecture.md: the markers ${HOUSE_START} … ${HOUSE_END} are missing`)
  return `${page.slice(0, start + HOUSE_START.length)}\n${drawHouse(root)}\n${page.slice(end)}`
}
