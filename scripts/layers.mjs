// The import directions of docs/architecture.md, as data: which layer may import what,
// which domain of src-main/core may import which, and no import cycle anywhere.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve, dirname, sep } from 'node:path'

const NODE_BUILTINS = /^(node:|fs$|path$|os$|crypto$|child_process$|http$|net$|url$|events$|stream$|worker_threads$)/

/** Layers from the most specific folder prefix down; the first match wins. */
export const layers = [
  { name: 'shared', dir: 'src-shared', mayImport: ['shared'], packages: ['zod'], nodeBuiltins: false },
  { name: 'core', dir: 'src-main/core', mayImport: ['shared', 'core'], packages: null, nodeBuiltins: true, forbidPackages: ['electron'] },
  { name: 'electron', dir: 'src-main/electron', mayImport: ['shared', 'core', 'electron'], packages: null, nodeBuiltins: true },
  {
    name: 'server',
    dir: 'src-main/server',
    mayImport: ['shared', 'core', 'server'],
    packages: null,
    nodeBuiltins: true,
    forbidPackages: ['electron']
  },
  {
    name: 'cli',
    dir: 'src-main/cli',
    mayImport: ['shared', 'core', 'server', 'cli'],
    packages: null,
    nodeBuiltins: true,
    forbidPackages: ['electron']
  },
  {
    name: 'renderer',
    dir: 'src-renderer',
    mayImport: ['shared', 'renderer'],
    packages: null,
    nodeBuiltins: false,
    forbidPackages: ['electron']
  }
]

/**
 * The domains of src-main/core (a folder, or a file directly under core) and the domains
 * each may import. Read bottom to top: a domain lists only domains above it here, so the
 * graph of domains has no circle. A domain not listed may import no other domain.
 */
export const coreDomains = {
  // plain helpers with no domain knowledge
  events: [],
  timers: [],
  version: [],
  resources: [],
  dataDir: [],
  inputFile: [],
  files: [],
  limits: [],
  db: [],
  // the domains, lowest first
  ledger: ['db', 'events', 'timers'],
  wallet: ['db', 'events', 'files', 'ledger'],
  esu: ['db', 'events'],
  meters: ['db', 'events', 'timers', 'inputFile', 'ledger', 'wallet'],
  network: ['db', 'events', 'timers', 'files', 'limits', 'ledger', 'wallet'],
  market: ['db', 'events', 'timers', 'files', 'inputFile', 'ledger', 'wallet', 'network'],
  ocpp: ['db', 'events', 'timers', 'files', 'limits', 'meters'],
  owner: ['db', 'events', 'dataDir', 'ledger', 'wallet', 'market', 'meters', 'network', 'ocpp'],
  // the composition root, then what composes a running node, then the contract's handlers
  app: [
    'events',
    'timers',
    'version',
    'resources',
    'dataDir',
    'db',
    'ledger',
    'wallet',
    'esu',
    'meters',
    'network',
    'market',
    'ocpp',
    'owner'
  ],
  node: ['events', 'timers', 'dataDir', 'files', 'db', 'ledger', 'wallet', 'meters', 'network', 'market', 'ocpp', 'owner', 'app'],
  api: ['events', 'version', 'dataDir', 'inputFile', 'ledger', 'wallet', 'esu', 'meters', 'network', 'market', 'ocpp', 'owner', 'app']
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'"`]*?from\s*['"]([^'"]+)['"]|(?:^|[^.\w])import\s*\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g

export function importsOf(source) {
  const found = []
  for (const match of source.matchAll(IMPORT)) found.push(match[1] ?? match[2] ?? match[3])
  return found
}

export function layerOf(root, file) {
  const rel = relative(root, file).split(sep).join('/')
  return layers.find((layer) => rel === layer.dir || rel.startsWith(`${layer.dir}/`))
}

const CORE = 'src-main/core/'

/** The core domain of a path relative to the root, or undefined outside core. */
export function coreDomainOf(rel) {
  if (!rel.startsWith(CORE)) return undefined
  const first = rel.slice(CORE.length).split('/')[0]
  return first.replace(/\.(ts|mjs|js)$/, '')
}

/** The file a relative specifier names, as TypeScript resolves it, or undefined. */
export function resolveFile(from, spec) {
  const base = resolve(dirname(from), spec)
  const candidates = [base, `${base}.ts`, `${base}.vue`, `${base}.mjs`, join(base, 'index.ts'), base.replace(/\.js$/, '.ts')]
  return candidates.find((path) => existsSync(path) && statSync(path).isFile())
}

/** Every import that breaks a rule, as "file: message". */
export function checkLayers(root) {
  const problems = []
  const graph = new Map()
  for (const layer of layers) {
    for (const file of sourceFiles(join(root, layer.dir))) {
      const rel = relative(root, file).split(sep).join('/')
      const edges = new Set()
      graph.set(rel, edges)
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        if (spec.startsWith('.')) {
          const target = layerOf(root, resolve(dirname(file), spec))
          if (!target) problems.push(`${rel}: imports ${spec}, outside every layer`)
          else if (!layer.mayImport.includes(target.name)) problems.push(`${rel}: ${layer.name} must not import ${target.name} (${spec})`)
          const resolved = resolveFile(file, spec)
          const targetRel = resolved && relative(root, resolved).split(sep).join('/')
          if (targetRel) edges.add(targetRel)
          const domainProblem = targetRel && crossDomainProblem(rel, targetRel, spec)
          if (domainProblem) problems.push(`${rel}: ${domainProblem}`)
        } else if (NODE_BUILTINS.test(spec)) {
          if (!layer.nodeBuiltins) problems.push(`${rel}: ${layer.name} must not import Node's ${spec}`)
        } else {
          const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]
          if (layer.packages && !layer.packages.includes(pkg)) problems.push(`${rel}: ${layer.name} must not import the package ${pkg}`)
          if (layer.forbidPackages?.includes(pkg)) problems.push(`${rel}: ${layer.name} must not import ${pkg}`)
        }
      }
    }
  }
  for (const cycle of cyclesOf(graph)) problems.push(`import cycle: ${cycle.join(' -> ')}`)
  return problems
}

function crossDomainProblem(from, to, spec) {
  const fromDomain = coreDomainOf(from)
  const toDomain = coreDomainOf(to)
  if (!fromDomain || !toDomain || fromDomain === toDomain) return undefined
  const allowed = coreDomains[fromDomain]
  if (!allowed) return `core/${fromDomain} is no domain scripts/layers.mjs knows (${spec})`
  if (!allowed.includes(toDomain)) return `core/${fromDomain} must not import core/${toDomain} (${spec})`
  return undefined
}

/**
 * One circle of files for each group of files that import each other (Tarjan's strongly
 * connected components): the shortest chain from the group's first file back to itself.
 */
export function cyclesOf(graph) {
  const index = new Map()
  const low = new Map()
  const onStack = new Set()
  const stack = []
  const groups = []
  let next = 0
  // iterative, so a deep import chain cannot overflow the call stack
  for (const start of [...graph.keys()].sort()) {
    if (index.has(start)) continue
    const work = [[start, [...(graph.get(start) ?? [])].sort(), 0]]
    index.set(start, next)
    low.set(start, next++)
    stack.push(start)
    onStack.add(start)
    while (work.length) {
      const frame = work[work.length - 1]
      const [node, edges] = frame
      if (frame[2] < edges.length) {
        const to = edges[frame[2]++]
        if (!graph.has(to)) continue
        if (!index.has(to)) {
          index.set(to, next)
          low.set(to, next++)
          stack.push(to)
          onStack.add(to)
          work.push([to, [...graph.get(to)].sort(), 0])
        } else if (onStack.has(to)) low.set(node, Math.min(low.get(node), index.get(to)))
        continue
      }
      work.pop()
      if (work.length) {
        const parent = work[work.length - 1][0]
        low.set(parent, Math.min(low.get(parent), low.get(node)))
      }
      if (low.get(node) === index.get(node)) {
        const group = []
        let member
        do {
          member = stack.pop()
          onStack.delete(member)
          group.push(member)
        } while (member !== node)
        if (group.length > 1 || graph.get(node).has(node)) groups.push(group.sort())
      }
    }
  }
  return groups.sort((a, b) => (a[0] < b[0] ? -1 : 1)).flatMap((group) => circlesOf(graph, group))
}

/** Circles through a group until each of its files is on one: every tie to break is named. */
function circlesOf(graph, group) {
  const covered = new Set()
  const circles = []
  for (const start of group) {
    if (covered.has(start)) continue
    const circle = shortestCircle(graph, new Set(group), start)
    for (const file of circle) covered.add(file)
    circles.push(circle)
  }
  return circles
}

function shortestCircle(graph, members, start) {
  const cameFrom = new Map()
  const queue = [start]
  for (let at = 0; at < queue.length; at++) {
    const node = queue[at]
    for (const to of [...graph.get(node)].sort()) {
      if (!members.has(to)) continue
      if (to === start) {
        const chain = [start]
        for (let step = node; step !== start; step = cameFrom.get(step)) chain.splice(1, 0, step)
        return [...chain, start]
      }
      if (!cameFrom.has(to)) {
        cameFrom.set(to, node)
        queue.push(to)
      }
    }
  }
  return [start, start]
}

export function sourceFiles(dir) {
  let entries
  try {
    entries = readdirSync(dir)
  } catch {
    return []
  }
  return entries.flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return /\.(ts|vue|mjs|js)$/.test(name) && !name.endsWith('.d.ts') ? [path] : []
  })
}
