// What the long-running faces (the desktop app, dv2g serve) do to own their data dir: take its
// lock, naming their channel, then answer the writes other commands forward to them.
import { resolve } from 'node:path'
import { preparePrivateDataDir } from '../dataDir'
import { channelPath, serveChannel, type RunningChannel } from './channel'
import { claimDataDir, type DataDirLock } from './lock'
import { operationError, runOperation } from './operations'
import type { OwnerServices } from './services'

/** Takes the data dir before anything opens its database; throws DataDirHeldError when another process has it. */
export function ownDataDir(dataDir: string, owner: string): DataDirLock {
  const dir = resolve(dataDir)
  preparePrivateDataDir(dir)
  return claimDataDir(dir, owner, channelPath(dir))
}

/** Runs forwarded writer operations on the app; close it before releasing the lock. */
export function serveOperations(lock: DataDirLock, app: OwnerServices): Promise<RunningChannel> {
  return serveChannel(lock.holder, (operation, input, progress) => runOperation(app, operation, input, progress), operationError)
}
