import { createHash } from 'node:crypto'
import { chmodSync, lstatSync, mkdirSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { channelPath } from '../../../../../src-main/core/owner/channel'
import { useTempDirs } from '../../../../support/tempDir'

const tempDir = useTempDirs()

/** a data dir whose socket path would pass the Unix limit */
function longDataDir(): string {
  const dir = join(tempDir(), 'a-data-dir-whose-path-is-long'.repeat(4))
  mkdirSync(dir, { recursive: true })
  return dir
}

/** the name anyone could compute from the data dir's path */
const sharedName = (dataDir: string) => join(tmpdir(), `dv2g-${createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}.sock`)

function expectPrivateFolder(dir: string): void {
  const entry = lstatSync(dir)
  expect(entry.isSymbolicLink()).toBe(false)
  expect(entry.isDirectory()).toBe(true)
  expect(entry.mode & 0o777).toBe(0o700)
  expect(entry.uid).toBe(process.getuid!())
}

describe('the channel path of a data dir', () => {
  it('is beside a data dir whose path is short', () => {
    const dir = tempDir()
    expect(channelPath(dir, 'linux', {})).toBe(join(dir, 'dv2g.sock'))
  })

  it('is, for a long data dir path, in a folder of this user only, under a name no one can compute', () => {
    const dataDir = longDataDir()
    const temp = tempDir()
    const first = channelPath(dataDir, 'linux', { TMPDIR: temp })
    const second = channelPath(dataDir, 'linux', { TMPDIR: temp })
    expect(first).not.toBe(sharedName(dataDir))
    expect(first).not.toBe(second)
    expect(dirname(first)).toBe(dirname(second))
    expect(dirname(first).startsWith(temp)).toBe(true)
    expect(Buffer.byteLength(first)).toBeLessThanOrEqual(100)
    expectPrivateFolder(dirname(first))
  })

  it('uses the runtime dir when it is private, and not when others may enter it', () => {
    const dataDir = longDataDir()
    const runtime = tempDir()
    chmodSync(runtime, 0o700)
    expect(dirname(channelPath(dataDir, 'linux', { XDG_RUNTIME_DIR: runtime, TMPDIR: tempDir() }))).toBe(runtime)
    chmodSync(runtime, 0o755)
    expect(dirname(channelPath(dataDir, 'linux', { XDG_RUNTIME_DIR: runtime, TMPDIR: tempDir() }))).not.toBe(runtime)
  })

  it('does not use a per-user folder someone planted as a link, nor one others may enter', () => {
    const dataDir = longDataDir()
    const temp = tempDir()
    const elsewhere = tempDir()
    chmodSync(elsewhere, 0o700)
    symlinkSync(elsewhere, join(temp, `dv2g-${process.getuid!()}`))
    const planted = channelPath(dataDir, 'linux', { TMPDIR: temp })
    expect(dirname(planted).startsWith(elsewhere)).toBe(false)
    expect(dirname(planted)).not.toBe(join(temp, `dv2g-${process.getuid!()}`))
    expectPrivateFolder(dirname(planted))

    const open = tempDir()
    mkdirSync(join(open, `dv2g-${process.getuid!()}`), { mode: 0o777 })
    chmodSync(join(open, `dv2g-${process.getuid!()}`), 0o777)
    const loose = channelPath(dataDir, 'linux', { TMPDIR: open })
    expect(dirname(loose)).not.toBe(join(open, `dv2g-${process.getuid!()}`))
    expectPrivateFolder(dirname(loose))
  })

  it('has a named pipe on Windows that no one can compute from the data dir', () => {
    const dir = tempDir()
    const pipe = channelPath(dir, 'win32', {})
    expect(pipe).toMatch(/^\\\\\.\\pipe\\dv2g-[0-9a-f]{24}$/)
    expect(channelPath(dir, 'win32', {})).not.toBe(pipe)
  })
})
