/** Waits for a condition, polling, and fails with what it waited for once the time is up. */
export async function until(what: () => boolean, timeoutMs = 10_000, label = 'the condition'): Promise<void> {
  const started = Date.now()
  while (!what()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${label}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** Polls an asynchronous probe until its value passes, failing with the last value once the time is up. */
export async function waitFor<T>(probe: () => Promise<T>, passes: (value: T) => boolean, timeoutMs: number, label: string): Promise<T> {
  const started = Date.now()
  let last: T | undefined
  let lastError: unknown
  for (;;) {
    try {
      last = await probe()
      if (passes(last)) return last
    } catch (error) {
      lastError = error
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${label}; last: ${JSON.stringify(last)}${lastError ? `; last error: ${String(lastError)}` : ''}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
