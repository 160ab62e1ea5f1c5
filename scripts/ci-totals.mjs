// Adds up vitest's JSON reports and the one-shot checks into the closing line CI reads:
// "N passed, N failed". A suite that wrote no report counts as one failure.
import { readFileSync } from 'node:fs'

const [checksPassed, checksFailed, ...reports] = process.argv.slice(2)
let passed = Number(checksPassed)
let failed = Number(checksFailed)
for (const file of reports) {
  try {
    const report = JSON.parse(readFileSync(file, 'utf8'))
    passed += report.numPassedTests
    failed += report.numFailedTests
    // a suite that ran nothing, or failed outside any test (an import error), counts as one failure
    if (report.numTotalTests === 0 || (report.success === false && report.numFailedTests === 0)) failed += 1
    console.log(`ci: ${file}: ${report.numPassedTests} passed, ${report.numFailedTests} failed`)
  } catch {
    console.log(`ci: ${file}: no report (the suite did not run to the end)`)
    failed += 1
  }
}
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
