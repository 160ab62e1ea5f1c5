import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { checkLayers, coreDomains, importsOf } from '../../../scripts/layers.mjs'
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

  it('names an import between core domains that the domain rules forbid', () => {
    const root = tree({
      'src-main/core/db/connection.ts': `export const open = () => 0`,
      'src-main/core/ledger/ledger.ts': `import { open } from '../db/connection'\nimport { keys } from '../wallet/keys'`,
      'src-main/core/wallet/keys.ts': `export const keys = 1`
    })
    expect(checkLayers(root)).toEqual(['src-main/core/ledger/ledger.ts: core/ledger must not import core/wallet (../wallet/keys)'])
  })

  it('names a core folder the domain rules do not know', () => {
    const root = tree({
      'src-main/core/app.ts': `import { x } from './gadgets/x'`,
      'src-main/core/gadgets/x.ts': `import { open } from '../db/connection'`,
      'src-main/core/db/connection.ts': `export const open = () => 0`
    })
    expect(checkLayers(root)).toEqual([
      'src-main/core/app.ts: core/app must not import core/gadgets (./gadgets/x)',
      'src-main/core/gadgets/x.ts: core/gadgets is no domain scripts/layers.mjs knows (../db/connection)'
    ])
  })

  it('fails on an import cycle and names its files in order', () => {
    const root = tree({
      'src-main/core/ledger/ledger.ts': `import { queue } from './ingestQueue'\nexport const ledger = 1`,
      'src-main/core/ledger/ingestQueue.ts': `import { store } from './store'\nexport const queue = 1`,
      'src-main/core/ledger/store.ts': `export { ledger } from './ledger'\nexport const store = 1`,
      'src-main/core/ledger/codec.ts': `export const codec = 1`
    })
    expect(checkLayers(root)).toEqual([
      'import cycle: src-main/core/ledger/ingestQueue.ts -> src-main/core/ledger/store.ts -> src-main/core/ledger/ledger.ts -> src-main/core/ledger/ingestQueue.ts'
    ])
  })

  it('counts type-only imports in a cycle', () => {
    const root = tree({
      'src-main/core/ledger/rules.ts': `import type { Milestone } from './milestones'\nexport interface Rule { at: number }`,
      'src-main/core/ledger/milestones.ts': `import { type Rule } from './rules.js'\nexport interface Milestone { rule: Rule }`
    })
    expect(checkLayers(root)).toEqual([
      'import cycle: src-main/core/ledger/milestones.ts -> src-main/core/ledger/rules.ts -> src-main/core/ledger/milestones.ts'
    ])
  })

  it('names a cycle between domains the rules allow one way only', () => {
    const root = tree({
      'src-main/core/wallet/keys.ts': `import { addressOf } from '../ledger/address'`,
      'src-main/core/ledger/address.ts': `import type { Keys } from '../wallet/keys'\nexport const addressOf = 1`
    })
    expect(checkLayers(root)).toEqual([
      'src-main/core/ledger/address.ts: core/ledger must not import core/wallet (../wallet/keys)',
      'import cycle: src-main/core/ledger/address.ts -> src-main/core/wallet/keys.ts -> src-main/core/ledger/address.ts'
    ])
  })

  it('declares domain rules that themselves form no circle', () => {
    const visiting = new Set<string>()
    const done = new Set<string>()
    const visit = (domain: string, path: string[]): void => {
      if (done.has(domain)) return
      expect(visiting.has(domain), `domain rules circle: ${[...path, domain].join(' -> ')}`).toBe(false)
      visiting.add(domain)
      for (const next of coreDomains[domain] ?? []) visit(next, [...path, domain])
      visiting.delete(domain)
      done.add(domain)
    }
    for (const domain of Object.keys(coreDomains)) visit(domain, [])
    for (const allowed of Object.values(coreDomains)) for (const domain of allowed) expect(Object.keys(coreDomains)).toContain(domain)
  })

  it('passes the source tree as it stands', () => {
    expect(checkLayers(fileURLToPath(new URL('../../..', import.meta.url)))).toEqual([])
  })
})
