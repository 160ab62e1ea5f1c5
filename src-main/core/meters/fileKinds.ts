// Words for what a path on a stick turned out to be, and for why reading it failed: the reasons an
// import gives for the files and folders it skipped.
import type { Stats } from 'node:fs'

/** What a path is, for a message, when it is not a regular file. */
export function kindOfEntry(stat: Stats): string {
  if (stat.isDirectory()) return 'a folder'
  if (stat.isFIFO()) return 'a FIFO (named pipe)'
  if (stat.isCharacterDevice()) return 'a character device'
  if (stat.isBlockDevice()) return 'a block device'
  if (stat.isSocket()) return 'a socket'
  if (stat.isSymbolicLink()) return 'a symbolic link'
  return 'not a regular file'
}

/** Why a file system call failed, in words, from its error code. */
export function fsReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code
  switch (code) {
    case 'ENOENT':
      return 'it no longer exists'
    case 'EACCES':
    case 'EPERM':
      return 'permission denied'
    case 'ELOOP':
      return 'it is a symbolic link'
    case 'ENOTDIR':
      return 'a part of its path is not a folder'
    case 'EIO':
      return 'input/output error (was the drive removed?)'
    default:
      return (error as Error).message
  }
}
