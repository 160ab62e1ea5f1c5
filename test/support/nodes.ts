// A harness for networks of real `dv2g node` processes on 127.0.0.1: each has its own data dir and
// a free port; the harness reads what each node prints, asks nodes questions through the CLI, kills
// them by PID, and stops whatever is left after the test.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach } from 'vitest'
import { dv2gBin, stopChild, type CliResult } from './cli'

export interface NodeProcess {
  child: ChildProcessWithoutNullStreams
  pid: number
  dataDir: string
  peerId: string
  networkId: string | null
  /** listen addresses with the /p2p/ id, ready for another node's --peer */
  listen: string[]
  /** what the node has written to stderr so far */
  log(): string
  /** SIGTERM, then SIGKILL if it has not exited within 10 s */
  stop(): Promise<void>
  /** SIGKILL: a crash */
  kill(): void
  /** resident set size now, from /proc (Linux) */
  rssMB(): number
}

const START_TIMEOUT_MS = 60_000

/** Runs dv2g asynchronously (a blocking run would stall the node processes' pipes), bounded in time. */
export function dv2g(args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [dv2gBin, ...args], { env: { ...process.env, ...env } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`dv2g ${args.join(' ')} took longer than ${timeoutMs} ms\n${stderr}`))
    }, timeoutMs)
    child.once('close', (status) => {
      clearTimeout(timer)
      resolve({ status, stdout, stderr })
    })
  })
}

/** Runs dv2g with --json and parses its stdout, failing with its stderr when it exits non-zero. */
export async function dv2gJson<T>(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<T> {
  const result = await dv2g([...args, '--json'], env)
  if (result.status !== 0) throw new Error(`dv2g ${args.join(' ')} exited ${result.status}: ${result.stderr}`)
  return JSON.parse(result.stdout) as T
}

/** Makes `dir` an operator's data dir: its first operator wallet, "treasury", holds the genesis supply and signs milestones. */
export async function createTreasuryDataDir(dir: string, passphrase: string): Promise<string> {
  const created = await dv2g(['--data-dir', dir, 'wallet', 'create', '--name', 'treasury', '--role', 'operator', '--json'], {
    DV2G_PASSPHRASE: passphrase
  })
  if (created.status !== 0) throw new Error(`dv2g wallet create exited ${created.status}: ${created.stderr}`)
  return dir
}

/** Reads a node's database beside it, read-only (WAL lets a reader in): no process start per look. */
export function readNodeDatabase<T>(dataDir: string, read: (db: Database.Database) => T): T {
  const db = new Database(join(dataDir, 'dv2g.sqlite'), { readonly: true })
  try {
    return read(db)
  } finally {
    db.close()
  }
}

// the one polling helper lives in until.ts; the node tests import it from here with the rest
export { waitFor } from './until'

/** Starts nodes and stops every one still running after each test. */
export function useNodes(): (dataDir: string, args?: readonly string[], env?: NodeJS.ProcessEnv) => Promise<NodeProcess> {
  const started: NodeProcess[] = []
  afterEach(async () => {
    await Promise.all(started.splice(0).map((node) => node.stop()))
  })
  return async (dataDir, args = [], env = {}) => {
    const node = await startNode(dataDir, args, env)
    started.push(node)
    return node
  }
}

export function startNode(dataDir: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Promise<NodeProcess> {
  return startNodeCommand('node', dataDir, args, env)
}

/** `dv2g agent` is a node too: the same start, identity and stop. */
export function startAgent(dataDir: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<NodeProcess> {
  return startNodeCommand('agent', dataDir, args, env)
}

function startNodeCommand(
  command: 'node' | 'agent',
  dataDir: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv
): Promise<NodeProcess> {
  const child = spawn(process.execPath, [dv2gBin, '--data-dir', dataDir, command, '--listen', '/ip4/127.0.0.1/tcp/0', ...args, '--json'], {
    env: { ...process.env, ...env }
  })
  let stdout = ''
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const stop = () => stopChild(child)
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop()
      reject(new Error(`dv2g ${command} printed nothing within ${START_TIMEOUT_MS} ms\n${stderr}`))
    }, START_TIMEOUT_MS)
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      const newline = stdout.indexOf('\n')
      if (newline < 0) return
      clearTimeout(timer)
      const printed = JSON.parse(stdout.slice(0, newline)) as { peerId: string; networkId: string | null; listen: string[] }
      resolve({
        child,
        pid: child.pid!,
        dataDir,
        ...printed,
        log: () => stderr,
        stop,
        kill: () => child.kill('SIGKILL'),
        rssMB: () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024
      })
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`dv2g ${command} exited with ${code} before printing its addresses\n${stderr}`))
    })
  })
}
