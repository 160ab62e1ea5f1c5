// The tangle behind the fake bridge: the transactions a test puts here, each with its detail and
// state, answered as the main process would (summaries for the list, details by id, stats).
import { ApiError, parseInput, type MethodName, type TangleTxDetail } from '../../../../src-shared/contract'

export function createFakeTangle() {
  const transactions: TangleTxDetail[] = []
  const count = (status: TangleTxDetail['status']) => transactions.filter((t) => t.status === status).length

  function handle(method: MethodName, rawInput: unknown): unknown {
    switch (method) {
      case 'tangle.stats':
        parseInput(method, rawInput)
        return {
          transactions: transactions.length,
          tips: transactions.filter((t) => t.tip).length,
          confirmed: count('confirmed'),
          pending: count('pending'),
          rejected: count('rejected'),
          preconfirmed: count('preconfirmed'),
          conflicting: count('conflicting'),
          dbBytes: 4096,
          txPerSecond: 0,
          medianConfirmationMs: null
        }
      case 'tangle.recent': {
        const { limit } = parseInput(method, rawInput)
        // the contract's summary schema keeps the summary's fields of each detail
        return transactions.slice(-limit)
      }
      case 'tangle.transaction': {
        const { id } = parseInput(method, rawInput)
        const found = transactions.find((t) => t.id === id)
        if (!found) throw new ApiError('not_found', `no transaction ${id} in this tangle`)
        return found
      }
      case 'tangle.search':
        parseInput(method, rawInput)
        return []
      case 'tangle.spam':
        parseInput(method, rawInput)
        return { started: true }
    }
    throw new Error(`the fake tangle has no ${method}`)
  }

  return {
    transactions,
    handle,
    reset: () => {
      transactions.length = 0
    }
  }
}
