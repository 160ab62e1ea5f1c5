// Replicator dynamics: the continuous field and the discrete step (32) of the evolutionary game.

/** ẋ_i = x_i (f_i − f̄), with f̄ = Σ x_j f_j the population's mean fitness. */
export function replicatorVelocity(x: readonly number[], fitness: readonly number[]): number[] {
  let mean = 0
  for (let i = 0; i < x.length; i++) mean += x[i]! * fitness[i]!
  return x.map((xi, i) => xi * (fitness[i]! - mean))
}

/** Q_m ← Q_m + σ1·Q_m·(u_m − ū)  (32): one Euler step of the field with step σ1. */
export function replicatorStep(q: readonly number[], utility: readonly number[], sigma1: number): number[] {
  const velocity = replicatorVelocity(q, utility)
  return q.map((qm, m) => qm + sigma1 * velocity[m]!)
}

/** Fitness of each pure strategy against population x in a symmetric game with payoff matrix A: (A x)_i. */
export function matrixFitness(payoff: readonly (readonly number[])[], x: readonly number[]): number[] {
  return payoff.map((row) => row.reduce((sum, a, j) => sum + a * x[j]!, 0))
}

/**
 * Integrates the replicator field of a symmetric matrix game with classic fourth-order
 * Runge–Kutta, from x0 over time t in steps of h.
 */
export function integrateReplicator(payoff: readonly (readonly number[])[], x0: readonly number[], t: number, h: number): number[] {
  const field = (x: readonly number[]) => replicatorVelocity(x, matrixFitness(payoff, x))
  const along = (x: readonly number[], k: readonly number[], s: number) => x.map((xi, i) => xi + s * k[i]!)
  let x = [...x0]
  const steps = Math.round(t / h)
  for (let n = 0; n < steps; n++) {
    const k1 = field(x)
    const k2 = field(along(x, k1, h / 2))
    const k3 = field(along(x, k2, h / 2))
    const k4 = field(along(x, k3, h))
    x = x.map((xi, i) => xi + (h / 6) * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!))
  }
  return x
}
