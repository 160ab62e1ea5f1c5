import { readFileSync } from 'node:fs'

/** The app's version, read once from package.json (two levels up in source and in out/). */
export function appVersion(): string {
  for (const relative of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as { name?: string; version?: string }
      if (pkg.name === 'dv2g-operator' && pkg.version) return pkg.version
    } catch {
      // try the next layout
    }
  }
  return 'unknown'
}
