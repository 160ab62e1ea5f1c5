import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { cyclesOf } from '../../../scripts/layers.mjs'
import { houseEdges, withCurrentHouse } from '../../../scripts/house.mjs'

const root = fileURLToPath(new URL('../../..', import.meta.url))

describe('the house drawn from the imports', () => {
  it('has no circle between faces and domains', () => {
    const graph = new Map<string, Set<string>>()
    for (const [from, to] of houseEdges(root).map((edge) => edge.split(' -> ') as [string, string])) {
      if (!graph.has(from)) graph.set(from, new Set())
      if (!graph.has(to)) graph.set(to, new Set())
      graph.get(from)!.add(to)
    }
    expect(graph.size).toBeGreaterThan(5)
    expect(cyclesOf(graph)).toEqual([])
  })

  it('points one way: shared imports nothing, and nothing imports a face', () => {
    const edges = houseEdges(root)
    expect(edges.filter((edge) => edge.startsWith('shared ->'))).toEqual([])
    expect(edges.filter((edge) => /-> (cli|server|electron|renderer)$/.test(edge) && !edge.startsWith('cli -> server'))).toEqual([])
  })

  it('is drawn in docs/architecture.md as the imports are now (npm run docs:house)', () => {
    const page = readFileSync(new URL('../../../docs/architecture.md', import.meta.url), 'utf8')
    expect(withCurrentHouse(page, root)).toBe(page)
  })
})
