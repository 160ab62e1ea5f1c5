import { spawn, spawnSync, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { inject } from 'vitest'

/** the command a user runs in a checkout: the sources through tsx */
export const dv2gSourceBin = fileURLToPath(new URL('../../bin/dv2g', import.meta.url))

/** what tests run as dv2g: the CLI bundled for this run (cliBundle.ts) where the project made one */
export const dv2gBin = inject('dv2gCli') ?? dv2gSourceBin

export interface CliResult {
  status: number | null
  stdout: string
  stderr: string
}

/** Runs dv2g to completion as a user would, bounded in time. */
export function runDv2g(args: readonly string[], env: NodeJS.ProcessEnv = {}, cwd?: string): CliResult {
  const result = spawnSync(process.execPath, [dv2gBin, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, ...env }
  })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

/** SIGTERM, then SIGKILL if it has not exited within 10 s; resolves once it has exited. */
export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill('SIGTERM')
  })
}

export interface ServeProcess {
  child: ChildProcessWithoutNullStreams
  url: string
  /** milliseconds from spawn to the URL line */
  startMs: number
  stop(): Promise<void>
}

/** Starts `dv2g serve` and resolves once it has printed its URL. */
export function startServe(dataDir: string, extraArgs: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const started = performance.now()
  const child = spawn(process.execPath, [dv2gBin, 'serve', '--port', '0', '--data-dir', dataDir, ...extraArgs], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...env }
  })
  const stop = () => stopChild(child)
  return new Promise((resolve, reject) => {
    let stdout = ''
    let stderr = ''
    const timer = setTimeout(() => {
      void stop()
      reject(new Error(`dv2g serve printed no URL within 120 s\n${stderr}`))
    }, 120_000)
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      const url = stdout.match(/https?:\/\/\S+\?token=\S+/)?.[0]
      if (url) {
        clearTimeout(timer)
        resolve({ child, url, startMs: performance.now() - started, stop })
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`dv2g serve exited with ${code} before printing a URL\n${stderr}`))
    })
  })
}
