// The scenario files the console offers. A broken file does not hide the others, and its refusal
// names the file (by name only: the renderer never sees a path it did not choose) and the JSON
// path of what is wrong.
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { scenarioSchema, type Scenario } from '../../../src-shared/market/scenario'
import { InputFileError, readJsonFile } from '../inputFile'

export interface ScenarioFolder {
  scenarios: Scenario[]
  /** one line per file that could not be used: "day.json: evs[4].battery.dischargeEfficiency: …" */
  broken: string[]
}

export function readScenarioFolder(dir: string): ScenarioFolder {
  const folder: ScenarioFolder = { scenarios: [], broken: [] }
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    try {
      folder.scenarios.push(readJsonFile(join(dir, file), scenarioSchema, file))
    } catch (error) {
      if (!(error instanceof InputFileError)) throw error
      folder.broken.push(error.message)
    }
  }
  return folder
}
