import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** The resources folder beside package.json: three levels up in source, two in the built out/main. */
export function resourcesDir(): string {
  for (const relative of ['../../resources', '../../../resources', '../../../../resources']) {
    const dir = fileURLToPath(new URL(relative, import.meta.url))
    if (existsSync(`${dir}/scenarios`)) return dir
  }
  throw new Error('the resources folder (default scenarios) is missing from this installation')
}
