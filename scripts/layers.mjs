// The import directions of docs/architecture.md, as data: which layer may import what.
import { readdirSync, readFileSync, statSync } from 'node:fs'
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

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'"`]*?from\s*['"]([^'"]+)['"]|(?:^|[^.\w])import\s*\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g

export function importsOf(source) {
  const found = []
  for (const match of source.matchAll(IMPORT)) found.push(match[1] ?? match[2] ?? match[3])
  return found
}

function layerOf(root, file) {
  const rel = relative(root, file).split(sep).join('/')
  return layers.find((layer) => rel === layer.dir || rel.startsWith(`${layer.dir}/`))
}

/** Every import that breaks a rule, as "file: message". */
export function checkLayers(root) {
  const problems = []
  for (const layer of layers) {
    for (const file of sourceFiles(join(root, layer.dir))) {
      const rel = relative(root, file).split(sep).join('/')
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        if (spec.startsWith('.')) {
          const target = layerOf(root, resolve(dirname(file), spec))
          if (!target) problems.push(`${rel}: imports ${spec}, outside every layer`)
          else if (!layer.mayImport.includes(target.name)) problems.push(`${rel}: ${layer.name} must not import ${target.name} (${spec})`)
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
  return problems
}

function sourceFiles(dir) {
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
