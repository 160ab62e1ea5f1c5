// Handlers of market runs and of the participants and inputs on the tangle.
import type { marketMethods } from '../../../src-shared/contract'
import type { App } from '../app'
import { serviceCall, type DomainHandlers } from './handlers'

export function marketHandlers(app: App): DomainHandlers<typeof marketMethods> {
  return {
    'market.scenarios': () => app.market().scenarios(),
    'market.start': (input) => serviceCall(() => app.market().start(input)),
    'market.control': ({ runId, action }) => serviceCall(() => app.market().control(runId, action)),
    'market.setGame': ({ runId, game }) => serviceCall(() => app.market().setGame(runId, game)),
    'market.settle': ({ runId }) => serviceCall(() => app.market().settleRun(runId)),
    'market.runs': () => app.market().runs(),
    'market.day': ({ runId }) => serviceCall(() => app.market().day(runId)),
    'market.slot': ({ runId, t }) => serviceCall(() => app.market().slot(runId, t)),
    'market.participants': () => serviceCall(() => app.marketTangle().participantsWithLastInput()),
    'market.register': (input) => serviceCall(() => app.marketTangle().register(input)),
    'market.revoke': ({ id }) => serviceCall(() => app.marketTangle().revoke(id)),
    'market.slotInputs': ({ runId, t }) => serviceCall(() => app.marketTangle().slotInputs(runId, t - 1)),
    'market.verifications': ({ runId }) =>
      serviceCall(() =>
        app
          .marketTangle()
          .verifications(runId)
          .slots.map((s) => ({ t: s.t + 1, matches: s.matches, differences: s.differences }))
      ),
    'market.deliveries': ({ runId }) =>
      serviceCall(() =>
        app
          .marketTangle()
          .deliveries(runId)
          .slots.map((s) => ({ ...s, t: s.t + 1 }))
      ),
    'market.tradesCsv': ({ runId }) => serviceCall(() => app.market().tradesCsv(runId))
  }
}
