// Why a node could not start, as the operator can act on it: the option at fault is named in the
// message, as the command line spells it.
import { Dv2gError, type RefusalOptions } from '../../../src-shared/errors'

export class NodeStartError extends Dv2gError {
  constructor(message: string, options: RefusalOptions = {}) {
    super(options.code ?? 'invalid_argument', message, options)
    this.name = 'NodeStartError'
  }
}
