// How the long-running commands (serve, node, agent) wait: until Ctrl+C or a service manager's SIGTERM.
export function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve())
    process.once('SIGTERM', () => resolve())
  })
}
