import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { runSimulate } from '../../../../src-main/cli/commands/simulate'
import { createOutput } from '../../../../src-main/cli/output'
import { open } from '../../../../src-main/core/app'
import { paperScenario } from '../../../../src-main/core/market/paperScenario'
import { useTempDirs } from '../../../support/tempDir'

const tempDir = useTempDirs()
const PASSPHRASE = 'a long passphrase for tests'
const given = process.env.DV2G_PASSPHRASE

afterEach(() => {
  // a failure must not leave the worker's every object polluted for the tests after it
  for (const key of Object.keys(Object.prototype)) delete (Object.prototype as Record<string, unknown>)[key]
  if (given === undefined) delete process.env.DV2G_PASSPHRASE
  else process.env.DV2G_PASSPHRASE = given
})

describe('simulate --settle with an EV named "__proto__"', () => {
  it('refuses the file, and no object in the process gains keys', async () => {
    const dataDir = tempDir()
    const app = open(dataDir, { ledger: { powBits: 2 } })
    app.ledger().wallets.keystore.unlock(PASSPHRASE)
    app.ledger().wallets.create('treasury', 'operator')
    app.close()
    const scenario = paperScenario()
    scenario.evs[0]!.id = '__proto__'
    const file = join(tempDir(), 'proto.json')
    writeFileSync(file, JSON.stringify(scenario))
    process.env.DV2G_PASSPHRASE = PASSPHRASE
    const notes: string[] = []
    const out = { ...createOutput(false), note: (line: string) => void notes.push(line), result: () => undefined }

    const run = runSimulate(['--scenario', file, '--out', join(tempDir(), 'out'), '--settle'], out, dataDir)
    await expect(run).rejects.toThrow('evs[0].id: "__proto__" is reserved')
    expect(Object.keys(Object.prototype)).toEqual([])
    expect(({} as Record<string, unknown>).prev).toBeUndefined()
    expect(({} as Record<string, unknown>).next).toBeUndefined()
    expect(notes).toEqual([])
  })
})
