// The bench runs its nodes from one bundled file, as an installed node runs, and not through tsx
// as `bin/dv2g` does in a checkout: tsx's loader thread and transforms add about 80 MB to every
// node's resident set, which the memory figure would otherwise report as the node's own.
import { build } from 'esbuild'
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { projectRoot } from '../rendererBuild'

export interface NodeBundle {
  /** the file to run with node, taking dv2g's arguments */
  file: string
  remove(): void
}

/**
 * Bundles the CLI from the current sources (esbuild, well under a second) into a folder of out/
 * (out/bench by default), two levels below package.json as the built app is, so the resources
 * folder is found the same way. The file is named after this process: two benches at once do
 * not share one.
 */
export async function bundleNodeCli(folder = 'bench'): Promise<NodeBundle> {
  const dir = join(projectRoot, 'out', folder)
  mkdirSync(dir, { recursive: true })
  const file = join(dir, `dv2g-${process.pid}.mjs`)
  await build({
    stdin: {
      contents: "import { main } from './src-main/cli/main.ts'\nprocess.exitCode = await main(process.argv.slice(2))\n",
      resolveDir: projectRoot,
      loader: 'ts'
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // dependencies load from node_modules as they do for the app; native better-sqlite3 must
    packages: 'external',
    outfile: file,
    logLevel: 'error'
  })
  return { file, remove: () => rmSync(file, { force: true }) }
}
