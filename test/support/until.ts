/** Waits for a condition, polling, and fails with what it waited for once the time is up. */
export async function until(what: () => boolean, timeoutMs = 10_000, label = 'the condition'): Promise<void> {
  const started = Date.now()
  while (!what()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${label}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
