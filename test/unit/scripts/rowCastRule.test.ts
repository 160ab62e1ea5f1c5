import { ESLint } from 'eslint'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = join(__dirname, '../../..')
const eslint = new ESLint({ cwd: root })

/** The messages the project's own lint config gives this snippet, as if it were a store module in core. */
async function lintStore(code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, 'src-main/core/esu/lintedSnippet.ts') })
  return result!.messages.map((message) => `${message.ruleId}: ${message.message}`)
}

const preamble = `import Database from 'better-sqlite3'
const db = new Database(':memory:')
`

describe('lint: a row is never cast', () => {
  it.each([
    ['get(...) as', `export const row = db.prepare('SELECT 1 AS n').get() as { n: number }`],
    ['all(...) as', `export const rows = db.prepare('SELECT 1 AS n').all() as { n: number }[]`],
    ['iterate(...) as', `export const rows = db.prepare('SELECT 1 AS n').iterate() as Iterable<{ n: number }>`],
    ['get(...)! as', `export const n = db.prepare('SELECT 1').pluck().get()! as number`],
    ['<T>get(...)', `export const n = <number>db.prepare('SELECT 1').pluck().get()`]
  ])('%s is an error that names the typed statement', async (_, line) => {
    expect(await lintStore(preamble + line + '\n')).toEqual([
      'no-restricted-syntax: a row is not cast: type its statement, db.prepare<Params, Row>(sql)'
    ])
  })

  it("a statement typed with prepare<Params, Row> passes, and so does a cast of what is not a row's call", async () => {
    const code = `${preamble}export const row = db.prepare<[number], { n: number }>('SELECT ? AS n').get(1)
export const n = (row?.n ?? 0) as number
`
    expect(await lintStore(code)).toEqual([])
  })

  it('the Electron security rules still hold in the same files', async () => {
    expect(await lintStore(`export const options = { webPreferences: { sandbox: false } }\n`)).toEqual([
      'no-restricted-syntax: the renderer stays sandboxed (docs/security.md)'
    ])
  })
})
