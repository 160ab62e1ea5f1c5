// `dv2g node` as a child process on 127.0.0.1, for `dv2g bench network`, which runs a network
// of them on this machine: started on a free port with its own data dir, its printed identity
// and addresses read, its peak memory read from /proc, stopped by its PID.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'

export interface NodeProcess {
  pid: number
  dataDir: string
  peerId: string
  /** listen addresses with the /p2p/ id, ready for another node's --peer */
  listen: string[]
  /** everything the command printed as its first JSON line */
  printed: Record<string, unknown>
  /** the last lines the node wrote to stderr, for an error message */
  logTail(): string
  /** the largest resident set of the process up to the moment it printed its addresses, MB (Linux; NaN elsewhere) */
  startupPeakRssMB: number
  /** the largest resident set since then, while it ran as a node, MB (Linux; NaN elsewhere) */
  peakRssMB(): number
  /** SIGTERM, then SIGKILL after 10 s; resolves once it has exited */
  stop(): Promise<void>
}

const START_TIMEOUT_MS = 90_000
const STOP_GRACE_MS = 10_000
const LOG_TAIL_CHARS = 4000

/** VmHWM is the kernel's own high-water mark of the resident set: no peak is missed between samples. */
function readPeakRssMB(pid: number): number {
  try {
    const kB = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
    return kB === undefined ? NaN : Number(kB) / 1024
  } catch {
    return NaN
  }
}

/**
 * Starts the high-water mark again from the current resident set (Linux's clear_refs "5"): what
 * start-up took (loading the code, the keystore's scrypt unlock on the operator's node, 128 MiB
 * by design) is not what the node needs while it runs. False where the kernel does not allow it.
 */
function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5')
    return true
  } catch {
    return false
  }
}

function stopChild(child: ChildProcessWithoutNullStreams): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill('SIGTERM')
  })
}

/**
 * Starts `dv2g node` (from the file `cli`), or another command that runs a node (`agent swarm`),
 * on a free loopback port and resolves once it has printed its addresses.
 */
export function startNodeProcess(
  cli: string,
  dataDir: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  command: readonly string[] = ['node']
): Promise<NodeProcess> {
  const child = spawn(process.execPath, [cli, '--data-dir', dataDir, ...command, '--listen', '/ip4/127.0.0.1/tcp/0', ...args, '--json'], {
    env: { ...process.env, ...env }
  })
  let stdout = ''
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-LOG_TAIL_CHARS)))
  let peakMB = NaN
  const peakRssMB = () => {
    const now = readPeakRssMB(child.pid!)
    if (!Number.isNaN(now)) peakMB = Number.isNaN(peakMB) ? now : Math.max(peakMB, now)
    return peakMB
  }
  const stop = async () => {
    peakRssMB() // the last look before the process and its /proc entry go
    await stopChild(child)
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop()
      reject(new Error(`dv2g ${command.join(' ')} on ${dataDir} printed nothing within ${START_TIMEOUT_MS / 1000} s\n${stderr}`))
    }, START_TIMEOUT_MS)
    let started = false
    child.stdout.on('data', (chunk: Buffer) => {
      if (started) return
      stdout += chunk.toString()
      const newline = stdout.indexOf('\n')
      if (newline < 0) return
      started = true
      clearTimeout(timer)
      const printed = JSON.parse(stdout.slice(0, newline)) as { peerId: string; listen: string[] } & Record<string, unknown>
      const startupPeakRssMB = readPeakRssMB(child.pid!)
      // where the peak cannot be reset, the running peak is the whole life's: larger, never smaller
      if (!resetPeakRss(child.pid!)) peakMB = startupPeakRssMB
      resolve({
        pid: child.pid!,
        dataDir,
        peerId: printed.peerId,
        listen: printed.listen,
        printed,
        startupPeakRssMB,
        logTail: () => stderr,
        peakRssMB,
        stop
      })
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`dv2g ${command.join(' ')} on ${dataDir} exited with ${code} before printing its addresses\n${stderr}`))
    })
  })
}
