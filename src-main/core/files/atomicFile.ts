import { randomBytes } from 'node:crypto'
import { closeSync, constants, fsyncSync, openSync, renameSync, unlinkSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

/**
 * Created afresh and never through a link: a temp name anyone could predict (the PID) let another
 * local user plant a symlink there and have the content written wherever it pointed.
 */
const EXCLUSIVE_NO_FOLLOW = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | (constants.O_NOFOLLOW ?? 0)

/** A temp name beside the file that no one can guess in advance. */
export function randomTempName(path: string): string {
  return `${path}.${randomBytes(8).toString('hex')}.tmp`
}

/**
 * Replaces a file so that a crash at any moment leaves either the old or the new content:
 * write a temp file beside it (created exclusively, 0600), fsync it, rename over, fsync the folder.
 * The rename replaces a symlink at the target itself, never what it points to.
 */
export function writeFileAtomic(path: string, content: string, tempName: (path: string) => string = randomTempName): void {
  const temp = tempName(path)
  let fd: number
  try {
    fd = openSync(temp, EXCLUSIVE_NO_FOLLOW, 0o600)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw new Error(`${temp} already exists (a link or a leftover): not writing ${path} through it`)
    throw error
  }
  try {
    try {
      writeFileSync(fd, content)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(temp, path)
  } catch (error) {
    try {
      unlinkSync(temp)
    } catch {
      // already renamed or never written: nothing to tidy
    }
    throw error
  }
  try {
    const dir = openSync(dirname(path), 'r')
    try {
      fsyncSync(dir)
    } finally {
      closeSync(dir)
    }
  } catch {
    // some platforms cannot fsync a folder; the rename is still atomic there
  }
}
