import { resolve } from 'node:path'
import { isTimeZone } from '../../core/meters/timeZone'
import { parseArgs, stringOption, UsageError } from '../args'
import type { Output } from '../output'
import { runWrite } from '../writer'

export const importUsage = `dv2g import PATH... [--tz ZONE] [--json]
  Imports meter logs (files, or folders searched 4 levels deep: .csv .txt .log .p1 .dsmr .tsv) into the data dir:
  DSMR telegram logs, or CSV interval data with the columns meter id, timestamp, import kWh, export kWh
  (comma, semicolon or tab; decimal comma; header optional; timestamps with a UTC offset, or local
  time in --tz, e.g. Europe/Amsterdam). One transaction per file; readings already stored are skipped;
  counter resets and gaps are flagged; every bad line is reported with its number and reason (a line
  over 64 KiB is one). Only regular files are read: a device or FIFO is refused, a link in a folder is
  followed only to a file inside that folder, and what cannot be read is listed as skipped, with why.`

export async function runImport(argv: readonly string[], out: Output, dataDir: string): Promise<number> {
  const args = parseArgs(argv, { tz: { value: true } })
  if (args.positionals.length === 0) throw new UsageError('import needs at least one PATH')
  const timeZone = stringOption(args, 'tz')
  if (timeZone && !isTimeZone(timeZone)) throw new UsageError(`--tz ${JSON.stringify(timeZone)} is not a time zone (e.g. Europe/Amsterdam)`)
  const paths = args.positionals.map((path) => resolve(path))
  const outcome = await runWrite(dataDir, 'import', 'meter.import', { paths, ...(timeZone ? { timeZone } : {}) }, out)
  const result = {
    files: outcome.files.map((f) => ({
      path: f.path,
      kind: f.kind,
      imported: f.inserted,
      duplicates: f.duplicates,
      resets: f.resets,
      gaps: f.gaps,
      rejected: f.rejected,
      rejectedCount: f.rejectedCount
    })),
    skipped: outcome.skipped
  }
  out.result(result, () =>
    [
      ...result.files.flatMap((f) => [
        `${f.path} (${f.kind}): ${f.imported} imported, ${f.duplicates} already stored, ${f.resets} counter resets, ${f.gaps} gaps, ${f.rejectedCount} rejected`,
        ...f.rejected.slice(0, 20).map((r) => `  line ${r.line}: ${r.reason}`),
        ...(f.rejectedCount > 20 ? [`  … and ${f.rejectedCount - 20} more`] : [])
      ]),
      ...result.skipped.map((s) => `skipped ${s.path}: ${s.reason}`)
    ].join('\n')
  )
  return 0
}
