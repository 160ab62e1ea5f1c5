// libp2p 3 and its helpers (it-queue, mortice, @libp2p/utils, yamux) call Promise.withResolvers,
// which Node 22 has and Node 20 lacks: without it a node crashes on stop or on its first
// peer-store write. Import this module before anything of libp2p. Electron bundles Node 22.
interface Resolvers<T> {
  promise: Promise<T>
  resolve: (value: T | PromiseLike<T>) => void
  reject: (reason?: unknown) => void
}

const PromiseWith = Promise as unknown as { withResolvers?: <T>() => Resolvers<T> }

if (typeof PromiseWith.withResolvers !== 'function') {
  PromiseWith.withResolvers = <T>(): Resolvers<T> => {
    let resolve!: Resolvers<T>['resolve']
    let reject!: Resolvers<T>['reject']
    const promise = new Promise<T>((res, rej) => {
      resolve = res
      reject = rej
    })
    return { promise, resolve, reject }
  }
}

export {}
