// Run by `dv2g bench import` in a fresh process: imports one CSV file into a new database and
// prints the time it took and the process's peak resident memory.
import { openDatabase } from '../db/connection'
import { importFile } from './importer'
import { ReadingStore } from './readingStore'

const [file, database] = process.argv.slice(2) as [string, string]
const started = performance.now()
const result = await importFile(new ReadingStore(openDatabase(database)), file)
process.stdout.write(
  JSON.stringify({
    seconds: (performance.now() - started) / 1000,
    rows: result.inserted,
    rejected: result.rejectedCount,
    peakRssMB: process.resourceUsage().maxRSS / 1024
  })
)
