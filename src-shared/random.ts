// A small seeded generator (mulberry32): the market must give the same result for the same seed,
// on every platform, which Math.random cannot promise.

export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A random point of the simplex (Algorithm 1's random initial Q), reproducible from the seed. */
export function randomSimplexPoint(count: number, seed: number): number[] {
  const random = seededRandom(seed)
  // exponential spacings give a uniform point of the simplex
  const weights = Array.from({ length: count }, () => -Math.log(1 - random()))
  const sum = weights.reduce((a, b) => a + b, 0)
  return weights.map((w) => w / sum)
}
