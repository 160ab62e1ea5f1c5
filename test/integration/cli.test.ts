import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { dv2gSourceBin, runDv2g, startServe } from '../support/cli'
import { useTempDirs } from '../support/tempDir'

const tempDir = useTempDirs()

const referenceArgs = [
  'esu',
  '--capacity-kwh',
  '24',
  '--dod',
  '0.8',
  '--cycle-life',
  '3000',
  '--combined-cost',
  '8200',
  '--maintenance',
  '0',
  '--rate',
  '0.05',
  '--lifetime-years',
  '10'
]

/** referenceArgs with one option's value replaced, or the option removed when value is undefined */
function withOption(option: string, value: string | undefined): string[] {
  const i = referenceArgs.indexOf(option)
  const rest = [...referenceArgs.slice(0, i), ...referenceArgs.slice(i + 2)]
  return value === undefined ? rest : [...rest, option, value]
}

describe('bin/dv2g', () => {
  it('runs the sources in a checkout as the bundled CLI the other tests run does', () => {
    // the same command through both: the wrapper loads tsx and the sources, and must say the same
    const fromSources = spawnSync(process.execPath, [dv2gSourceBin, ...referenceArgs, '--json'], { encoding: 'utf8', timeout: 120_000 })
    expect(fromSources.stderr).toBe('')
    expect(fromSources.status).toBe(0)
    expect(JSON.parse(fromSources.stdout)).toEqual(JSON.parse(runDv2g([...referenceArgs, '--json']).stdout))
  })
})

describe('dv2g esu', () => {
  it('prints the four figures as JSON', () => {
    const { status, stdout } = runDv2g([...referenceArgs, '--json'])
    expect(status).toBe(0)
    const result = JSON.parse(stdout)
    expect(Object.keys(result).sort()).toEqual(['annuityFactor', 'costPerDay', 'degradationCostPerKWh', 'lifetimeThroughputKWh'])
    expect(Number(result.degradationCostPerKWh.toPrecision(5))).toBe(0.14236)
    expect(Number(result.costPerDay.toPrecision(4))).toBe(2.909)
  })

  it('prints a readable table without --json', () => {
    const { status, stdout } = runDv2g(referenceArgs)
    expect(status).toBe(0)
    expect(stdout).toMatch(/degradation cost ω \(10\)\s+0\.14236\s+per kWh/)
    expect(stdout).toMatch(/cost per day CD \(9\)\s+2\.9094\s+per day/)
  })

  it.each([
    ['--dod out of range', withOption('--dod', '1.5'), /--dod must be between 0.01 and 1/],
    ['a negative rate', withOption('--rate', '-0.05'), /--rate must be between 0 and 1/],
    ['a missing value', [...withOption('--dod', undefined), '--dod'], /--dod needs a value/],
    ['a missing option', withOption('--cycle-life', undefined), /missing --cycle-life/],
    ['an unknown option', [...referenceArgs, '--voltage', '400'], /unknown option --voltage/],
    ['a value that is not a number', withOption('--combined-cost', '8k'), /--combined-cost expects a number, got "8k"/],
    [
      'a capacity too small for a finite cost',
      withOption('--capacity-kwh', '5e-324'),
      /^dv2g: --capacity-kwh must be between 0\.1 and 100000 \(got 5e-324\)$/m
    ],
    [
      'a lifetime too short for a finite cost',
      withOption('--lifetime-years', '5e-324'),
      /^dv2g: --lifetime-years must be between 1 and 100 \(got 5e-324\)$/m
    ]
  ])('exits 2 with one message naming the option for %s', (_, args, message) => {
    const { status, stdout, stderr } = runDv2g(args)
    expect(status).toBe(2)
    expect(stdout).toBe('')
    expect(stderr.trim().split('\n')).toHaveLength(1)
    expect(stderr).toMatch(message)
  })

  it('with --json also reports the error as JSON on stdout', () => {
    const { status, stdout } = runDv2g([...withOption('--dod', '1.5'), '--json'])
    expect(status).toBe(2)
    expect(JSON.parse(stdout).error).toMatch(/--dod/)
  })
})

describe('dv2g', () => {
  it('names an unknown command and exits 2', () => {
    const { status, stderr } = runDv2g(['frobnicate'])
    expect(status).toBe(2)
    expect(stderr).toMatch(/unknown command "frobnicate"/)
  })
})

describe('dv2g serve', () => {
  it('serves the console on loopback behind a per-run token, and stops cleanly on SIGTERM', async () => {
    const dataDir = tempDir()
    const first = await startServe(dataDir)
    try {
      const url = new URL(first.url)
      expect(url.hostname).toBe('127.0.0.1')
      expect((await fetch(first.url)).status).toBe(200)
      // the console's files are public; the contract needs the token as a bearer credential
      const info = (headers: Record<string, string>) =>
        fetch(`${url.origin}/api/app.info`, { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json', ...headers } })
      expect((await info({})).status).toBe(401)
      expect((await info({ Authorization: `Bearer ${url.searchParams.get('token')}` })).status).toBe(200)
    } finally {
      await first.stop()
    }
    expect(first.child.exitCode).toBe(0)

    const second = await startServe(dataDir)
    try {
      expect(new URL(second.url).searchParams.get('token')).not.toBe(new URL(first.url).searchParams.get('token'))
    } finally {
      await second.stop()
    }
  })
})
