// IPC: one handler per contract method. Each checks that the call comes from our window's main
// frame showing our own page, then dispatches through the same validating dispatcher as serve
// mode, and answers with an envelope: an Error thrown across IPC would lose the field names.
import { methodNames, type MethodName } from '../../src-shared/contract'
import { methodChannel } from '../../src-shared/bridge'
import type { CallResult } from '../../src-shared/wire'
import { toErrorBody, type Dispatch } from '../core/api'
import { isAppUrl } from './trustedUrl'

/** What we need of Electron's WebFrameMain; null when the frame is gone. */
export interface SenderFrame {
  url: string
  parent: unknown
}

export function isTrustedSender(frame: SenderFrame | null | undefined, isOurWindow: boolean, appUrl: string): boolean {
  return Boolean(frame) && isOurWindow && frame!.parent === null && isAppUrl(frame!.url, appUrl)
}

export interface IpcEvent {
  senderFrame: SenderFrame | null
  sender: unknown
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEvent, input: unknown) => Promise<CallResult>): void
  removeHandler(channel: string): void
}

export function registerContractHandlers(
  ipcMain: IpcMainLike,
  dispatch: Dispatch,
  trust: { isOurWebContents(sender: unknown): boolean; appUrl: () => string }
): () => void {
  for (const name of methodNames) {
    ipcMain.handle(methodChannel(name), async (event, input) => {
      if (!isTrustedSender(event.senderFrame, trust.isOurWebContents(event.sender), trust.appUrl())) {
        return {
          ok: false,
          error: { code: 'invalid_argument', message: `${name}: refused: the call did not come from the console's own page` }
        }
      }
      try {
        return { ok: true, output: await dispatch(name as MethodName, input) }
      } catch (error) {
        return { ok: false, error: toErrorBody(error) }
      }
    })
  }
  return () => methodNames.forEach((name) => ipcMain.removeHandler(methodChannel(name)))
}
