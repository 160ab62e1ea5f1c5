// Global setup of the test projects that start dv2g processes: the CLI bundled once from the
// current sources, as the benches run their nodes. Through bin/dv2g every process would first
// load tsx and transform the sources (about 4 s of a core each; a run starts hundreds); the
// bundle starts in about half that. bin/dv2g itself is still run by the CLI test.
import type { TestProject } from 'vitest/node'
import { bundleNodeCli } from '../../src-main/cli/networkBench/nodeBundle'

declare module 'vitest' {
  export interface ProvidedContext {
    /** the bundled CLI, run with node as bin/dv2g is */
    dv2gCli: string
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const bundle = await bundleNodeCli('test-cli')
  project.provide('dv2gCli', bundle.file)
  return () => bundle.remove()
}
