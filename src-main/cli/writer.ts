// A command that writes to a data dir: it runs the write itself when the data dir is free
// (holding the lock meanwhile), or hands it to the process that owns the data dir over its
// local channel, so that process's graph, views and events stay true.
import { resolve } from 'node:path'
import { preparePrivateDataDir } from '../core/dataDir'
import { ChannelAnswerTooLongError, ChannelCallError, ChannelUnreachableError, callChannel, type ChannelError } from '../core/owner/channel'
import { claimDataDir, DataDirHeldError, type LockHolder } from '../core/owner/lock'
import { operationError, runOperation, type OperationInput, type OperationName, type OperationOutput } from '../core/owner/operations'
import { UsageError } from './args'
import type { Output } from './output'
import { withApp } from './withApp'

/** A refusal names its option the way the command line spells it. */
function toCliError(error: ChannelError): Error {
  if (!error.refused) return new Error(error.message)
  return new UsageError(error.field ? `--${error.field} ${error.message}` : error.message)
}

/** Runs work holding the data dir's lock, or hands its live holder to whenHeld. */
async function holdingDataDir<T>(
  dataDir: string,
  command: string,
  work: (dir: string) => Promise<T>,
  whenHeld: (holder: LockHolder) => Promise<T>
): Promise<T> {
  const dir = resolve(dataDir)
  preparePrivateDataDir(dir)
  let lock
  try {
    lock = claimDataDir(dir, `dv2g ${command}`)
  } catch (error) {
    if (error instanceof DataDirHeldError) return whenHeld(error.holder)
    throw error
  }
  try {
    return await work(dir)
  } finally {
    lock.release()
  }
}

export function runWrite<N extends OperationName>(
  dataDir: string,
  command: string,
  name: N,
  input: OperationInput<N>,
  out: Output
): Promise<OperationOutput<N>> {
  const runHere = (dir: string) =>
    withApp(dir, async (app) => {
      try {
        return (await runOperation(app, name, input, out.note)) as OperationOutput<N>
      } catch (error) {
        const mapped = operationError(error)
        throw mapped.refused ? toCliError(mapped) : error
      }
    })
  const runThroughHolder = async (holder: LockHolder) => {
    out.note(`dv2g: ${holder.owner} (PID ${holder.pid}) holds this data dir; ${command} runs through it`)
    try {
      return (await callChannel(holder, name, input, out.note)) as OperationOutput<N>
    } catch (error) {
      if (error instanceof ChannelCallError) throw toCliError(error.detail)
      if (error instanceof ChannelAnswerTooLongError)
        throw new Error(`${holder.owner} ran ${command}, but ${error.message}: look at what it did in the data dir`)
      if (error instanceof ChannelUnreachableError) throw new DataDirHeldError(holder, `${error.message}; wait for it to finish or stop it`)
      throw error
    }
  }
  return holdingDataDir(dataDir, command, runHere, runThroughHolder)
}
