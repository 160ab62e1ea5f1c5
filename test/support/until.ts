/** The pause between two looks at a condition: short, so a test goes on as soon as it holds. */
const POLL_MS = 10

/** Yields to the event loop between two looks; a costly look (a database read, a CLI call) waits as long as it took, so polling takes at most half the machine. */
const betweenLooks = (lookMs = 0) => new Promise((resolve) => setTimeout(resolve, Math.max(POLL_MS, lookMs)))

/** Waits for a condition, polling, and fails with what it waited for once the time is up. */
export async function until(what: () => boolean, timeoutMs = 10_000, label = 'the condition'): Promise<void> {
  const started = Date.now()
  while (!what()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${label}`)
    await betweenLooks()
  }
}

/** Polls an asynchronous probe until its value passes, failing with the last value once the time is up. */
export async function waitFor<T>(probe: () => Promise<T>, passes: (value: T) => boolean, timeoutMs: number, label: string): Promise<T> {
  const started = Date.now()
  let last: T | undefined
  let lastError: unknown
  for (;;) {
    const lookStarted = Date.now()
    try {
      last = await probe()
      if (passes(last)) return last
    } catch (error) {
      lastError = error
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${label}; last: ${JSON.stringify(last)}${lastError ? `; last error: ${String(lastError)}` : ''}`
      )
    }
    await betweenLooks(Date.now() - lookStarted)
  }
}
