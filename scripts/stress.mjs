// npm run test:stress: the whole `npm test` three times in a row while two processes spin on the
// CPU, as on a busy CI runner or a control-room PC doing other work. A test that waits a fixed time
// or a fixed number of ticks fails here sooner or later; one that waits for its condition does not.
//
//   npm run test:stress                         3 runs, 2 CPU hogs
//   npm run test:stress -- --runs 5 --hogs 4    more of either
//   npm run test:stress -- -- test/unit/renderer  extra arguments after -- go to vitest
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const { runs, hogCount, vitestArgs } = parseArgs(process.argv.slice(2))
const reportDir = mkdtempSync(join(tmpdir(), 'dv2g-stress-'))
const hogs = []
let current = null

/** Stops the hogs and the run in progress, whatever ends this script. */
function cleanUp() {
  for (const hog of hogs.splice(0)) hog.kill('SIGKILL')
  current?.kill('SIGTERM')
  rmSync(reportDir, { recursive: true, force: true })
}
process.on('exit', cleanUp)
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    console.error(`\nstress: ${signal}, stopping the CPU hogs and the test run`)
    cleanUp()
    process.exit(130)
  })
}

for (let i = 0; i < hogCount; i++) {
  hogs.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }))
}
console.log(`stress: ${runs} runs of npm test while ${hogCount} CPU hogs spin (pids ${hogs.map((h) => h.pid).join(', ')})`)

const started = Date.now()
const totals = []
for (let run = 1; run <= runs; run++) {
  const reportFile = join(reportDir, `run-${run}.json`)
  const runStarted = Date.now()
  const exitCode = await npmTest(['--reporter=default', '--reporter=json', `--outputFile.json=${reportFile}`, ...vitestArgs])
  const result = { run, seconds: (Date.now() - runStarted) / 1000, exitCode, ...readReport(reportFile) }
  totals.push(result)
  console.log(summaryLine(result))
  for (const name of result.failures) console.log(`  failed: ${name}`)
}
cleanUp()

const failedRuns = totals.filter((r) => !r.ok)
const wall = ((Date.now() - started) / 1000).toFixed(0)
for (const result of totals) console.log(summaryLine(result))
console.log(
  failedRuns.length === 0
    ? `stress: all ${runs} runs passed under ${hogCount} CPU hogs in ${wall} s`
    : `stress: ${failedRuns.length} of ${runs} runs failed (run ${failedRuns.map((r) => r.run).join(', ')}) under ${hogCount} CPU hogs in ${wall} s`
)
process.exitCode = failedRuns.length === 0 ? 0 : 1

function npmTest(args) {
  return new Promise((resolve) => {
    // npm.cmd on Windows needs a shell; elsewhere the arguments go through untouched
    current = spawn('npm', ['test', '--', ...args], { stdio: 'inherit', shell: process.platform === 'win32' })
    current.once('exit', (code, signal) => {
      current = null
      resolve(code ?? (signal ? 1 : 0))
    })
  })
}

/** Totals from vitest's JSON report; a run without a report (vitest crashed) is a failed run. */
function readReport(file) {
  let report
  try {
    report = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    return { passed: 0, failed: 0, skipped: 0, failedFiles: 0, failures: [`no JSON report (${error.code ?? error.message})`] }
  }
  const failures = []
  for (const file of report.testResults ?? []) {
    const failedTests = (file.assertionResults ?? []).filter((t) => t.status === 'failed')
    for (const test of failedTests) failures.push(`${file.name} > ${test.fullName}`)
    // a file that failed outside any test (import error, hook) has no failed test to name
    if (file.status === 'failed' && failedTests.length === 0) failures.push(`${file.name}: ${firstLine(file.message)}`)
  }
  return {
    passed: report.numPassedTests ?? 0,
    failed: report.numFailedTests ?? 0,
    skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
    // vitest's numFailedTestSuites counts describe blocks too: count the files themselves
    failedFiles: (report.testResults ?? []).filter((file) => file.status === 'failed').length,
    failures
  }
}

function summaryLine(r) {
  r.ok = r.exitCode === 0 && r.failed === 0 && r.failures.length === 0
  const extra = [
    r.skipped > 0 ? `${r.skipped} skipped` : null,
    r.failedFiles > 0 ? `${r.failedFiles} files failed` : null,
    r.exitCode !== 0 ? `vitest exit ${r.exitCode}` : null,
    `${r.seconds.toFixed(0)} s`
  ].filter(Boolean)
  return `run ${r.run}: ${r.passed} passed, ${r.failed} failed (${extra.join(', ')})`
}

function firstLine(text) {
  return (
    String(text ?? 'failed')
      .split('\n')
      .find((line) => line.trim() !== '') ?? 'failed'
  )
}

function parseArgs(args) {
  const options = { runs: 3, hogCount: 2, vitestArgs: [] }
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]
    if (arg === '--') {
      options.vitestArgs = args.slice(i + 1)
      break
    }
    const value = Number(args[i + 1])
    if ((arg === '--runs' || arg === '--hogs') && Number.isInteger(value) && value >= (arg === '--runs' ? 1 : 0)) {
      options[arg === '--runs' ? 'runs' : 'hogCount'] = value
      i++
      continue
    }
    console.error(`stress: ${arg} is not an option (use --runs N, --hogs N, and -- before vitest's own arguments)`)
    process.exit(2)
  }
  return options
}
