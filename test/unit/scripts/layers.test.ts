import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { checkLayers, importsOf } from '../../../scripts/layers.mjs'
import { useTempDirs } from '../../support/tempDir'

const tempDir = useTempDirs()

function tree(files: Record<string, string>): string {
  const root = tempDir()
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  return root
}

describe('layer check', () => {
  it('finds static, side-effect and dynamic imports', () => {
    const source = `import a from 'a'\nimport { b } from "./b"\nexport * from '../c'\nimport './d.css'\nconst e = await import('e')`
    expect(importsOf(source)).toEqual(['a', './b', '../c', './d.css', 'e'])
  })

  it('passes imports that point the way docs/architecture.md allows', () => {
    const root = tree({
      'src-shared/contract.ts': `import { z } from 'zod'`,
      'src-main/core/app.ts': `import { readFileSync } from 'node:fs'\nimport { x } from '../../src-shared/contract'`,
      'src-main/cli/main.ts': `import { open } from '../core/app'\nimport { startServer } from '../server/server'`,
      'src-main/server/server.ts': `import { open } from '../core/app'`,
      'src-main/electron/main.ts': `import { app } from 'electron'\nimport { open } from '../core/app'`,
      'src-renderer/api.ts': `import { ref } from 'vue'\nimport { methods } from '../src-shared/contract'`
    })
    expect(checkLayers(root)).toEqual([])
  })

  it('names each import that crosses a layer the wrong way', () => {
    const root = tree({
      'src-shared/esu.ts': `import { readFileSync } from 'node:fs'\nimport Database from 'better-sqlite3'`,
      'src-main/core/app.ts': `import { app } from 'electron'\nimport { startServer } from '../server/server'`,
      'src-main/server/server.ts': `export {}`,
      'src-renderer/api.ts': `import { open } from '../src-main/core/app'`
    })
    expect(checkLayers(root)).toEqual([
      "src-shared/esu.ts: shared must not import Node's node:fs",
      'src-shared/esu.ts: shared must not import the package better-sqlite3',
      'src-main/core/app.ts: core must not import electron',
      'src-main/core/app.ts: core must not import server (../server/server)',
      'src-renderer/api.ts: renderer must not import core (../src-main/core/app)'
    ])
  })
})
