import { existsSync, lstatSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { writeFileAtomic } from '../../../../../src-main/core/files/atomicFile'
import { useTempDirs } from '../../../../support/tempDir'

const tempDir = useTempDirs()

describe('the atomic file writer', () => {
  it('writes a file readable by its user only and leaves no temp file beside it', () => {
    const dir = tempDir()
    const path = join(dir, 'keystore.json')
    writeFileAtomic(path, 'one\n')
    writeFileAtomic(path, 'two\n')
    expect(readFileSync(path, 'utf8')).toBe('two\n')
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(readdirSync(dir)).toEqual(['keystore.json'])
  })

  it('does not write through a symlink planted at the temp name a writer would have used', () => {
    const dir = tempDir()
    const victim = join(tempDir(), 'victim')
    writeFileSync(victim, 'precious\n')
    const path = join(dir, 'keystore.json')
    // the name the writer once derived from its PID alone: anyone could plant it in advance
    symlinkSync(victim, `${path}.${process.pid}.tmp`)
    writeFileAtomic(path, 'secret\n')
    expect(readFileSync(victim, 'utf8')).toBe('precious\n')
    expect(readFileSync(path, 'utf8')).toBe('secret\n')
    expect(lstatSync(path).isSymbolicLink()).toBe(false)
  })

  it('refuses, naming it, a temp path that already exists, and leaves what the link points to alone', () => {
    const dir = tempDir()
    const victim = join(tempDir(), 'victim')
    writeFileSync(victim, 'precious\n')
    const path = join(dir, 'peer.key')
    const temp = `${path}.planted.tmp`
    symlinkSync(victim, temp)
    expect(() => writeFileAtomic(path, 'secret\n', () => temp)).toThrow(`${temp} already exists`)
    expect(readFileSync(victim, 'utf8')).toBe('precious\n')
    expect(existsSync(path)).toBe(false)
  })

  it('replaces a symlink planted at the target itself rather than writing through it', () => {
    const dir = tempDir()
    const victim = join(tempDir(), 'victim')
    writeFileSync(victim, 'precious\n')
    const path = join(dir, 'keystore.json')
    symlinkSync(victim, path)
    writeFileAtomic(path, 'secret\n')
    expect(readFileSync(victim, 'utf8')).toBe('precious\n')
    expect(lstatSync(path).isSymbolicLink()).toBe(false)
    expect(readFileSync(path, 'utf8')).toBe('secret\n')
  })
})
