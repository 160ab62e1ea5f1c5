// The meter bridge as the console sees it: ports and their status, meters and their prosumers,
// the selected meter's power over time (live readings batched into at most four redraws a
// second), and imports of meter logs with their progress and results.
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { EventPayload, FileImportResult, Meter, MeterPort, MethodInput, MethodOutput } from '../../src-shared/contract'
import { call, CallError, errorMessage, onEvent } from '../api'

type Reading = MethodOutput<'meter.readings'>[number]
type Volume = MethodOutput<'meter.volumes'>[number]
/** What the operator asked for, so a refusal shows beside the form that asked. */
export type MeterAction = 'load' | 'addPort' | 'removePort' | 'assign' | 'readings' | 'volumes' | 'import'

export const CHART_POINTS = 2000
const FLUSH_EVERY_MS = 250

/** Power in W per reading: as the meter reported it, else from the counters since the reading before. */
export function powerSeries(readings: readonly Reading[]): { tsMs: number; watts: number | null; flags: number }[] {
  return readings.map((r, i) => {
    if (r.powerW !== null) return { tsMs: r.tsMs, watts: r.powerW, flags: r.flags }
    const before = readings[i - 1]
    if (!before || r.tsMs <= before.tsMs || r.flags & 1) return { tsMs: r.tsMs, watts: null, flags: r.flags }
    const netWh = r.importWh - before.importWh - (r.exportWh - before.exportWh)
    return { tsMs: r.tsMs, watts: (netWh * 3_600_000) / (r.tsMs - before.tsMs), flags: r.flags }
  })
}

export const useMetersStore = defineStore('meters', () => {
  const ports = ref<MeterPort[]>([])
  const available = ref<MethodOutput<'meter.availablePorts'>>([])
  const meters = ref<Meter[]>([])
  const selected = ref<string | null>(null)
  const readings = shallowRef<Reading[]>([])
  const volumes = ref<Volume[]>([])
  const progress = ref<EventPayload<'meter.importProgress'> | null>(null)
  const importing = ref(false)
  const results = ref<FileImportResult[] | null>(null)
  /** what the last import could not read, and why */
  const skipped = ref<MethodOutput<'meter.import'>['skipped']>([])
  const failure = ref<{ action: MeterAction; message: string; fields: Record<string, string> } | null>(null)
  const notice = ref<string | null>(null)

  let arrived: Reading[] = []
  let timer: ReturnType<typeof setTimeout> | undefined
  onEvent('meter.reading', (r) => {
    if (r.meterId !== selected.value) return
    arrived.push({ tsMs: r.tsMs, importWh: r.importWh, exportWh: r.exportWh, powerW: r.powerW, flags: 0 })
    timer ??= setTimeout(() => {
      timer = undefined
      readings.value = [...readings.value, ...arrived].slice(-CHART_POINTS)
      arrived = []
    }, FLUSH_EVERY_MS)
  })
  onEvent('meter.portsChanged', (payload) => (ports.value = payload.ports))
  onEvent('meter.metersChanged', (payload) => (meters.value = payload.meters))
  onEvent('meter.importProgress', (payload) => (progress.value = payload))

  async function attempt<T>(action: MeterAction, work: () => Promise<T>): Promise<T | undefined> {
    try {
      const result = await work()
      failure.value = null
      return result
    } catch (problem) {
      // `paths.0` and `paths` are the same input on the form
      const fields =
        problem instanceof CallError ? Object.fromEntries((problem.fields ?? []).map((f) => [f.path.split('.')[0]!, f.message])) : {}
      failure.value = { action, message: errorMessage(problem), fields }
      return undefined
    }
  }

  async function load(): Promise<void> {
    await attempt('load', async () => {
      ;[ports.value, meters.value, available.value, volumes.value] = await Promise.all([
        call('meter.ports'),
        call('meter.list'),
        call('meter.availablePorts'),
        call('meter.volumes')
      ])
    })
  }

  async function addPort(input: MethodInput<'meter.addPort'>): Promise<boolean> {
    notice.value = null
    const port = await attempt('addPort', () => call('meter.addPort', input))
    if (port) ports.value = [...ports.value.filter((p) => p.path !== port.path), port]
    return port !== undefined
  }

  async function removePort(path: string): Promise<void> {
    notice.value = null
    if (!(await attempt('removePort', () => call('meter.removePort', { path })))) return
    ports.value = ports.value.filter((p) => p.path !== path)
    notice.value = `Removed ${path}: the bridge closed it. Its meters and their readings stay.`
  }

  async function assign(meterId: string, prosumer: string | null): Promise<boolean> {
    const list = await attempt('assign', () => call('meter.assign', { meterId, prosumer }))
    if (list) meters.value = list
    return list !== undefined
  }

  async function select(meterId: string): Promise<void> {
    if (selected.value !== meterId) {
      selected.value = meterId
      arrived = []
      readings.value = []
    }
    const stored = (await attempt('readings', () => call('meter.readings', { meterId, limit: CHART_POINTS }))) ?? []
    if (selected.value !== meterId) return // the operator chose another meter meanwhile
    // live readings drawn while the stored ones were on their way come after them
    const newest = stored.at(-1)?.tsMs ?? -Infinity
    readings.value = [...stored, ...readings.value.filter((r) => r.tsMs > newest)].slice(-CHART_POINTS)
  }

  async function rescanVolumes(): Promise<void> {
    const found = await attempt('volumes', () => call('meter.volumes'))
    if (found) volumes.value = found
  }

  async function importLogs(paths: string[], timeZone?: string): Promise<void> {
    importing.value = true
    progress.value = null
    results.value = null
    skipped.value = []
    try {
      const done = await attempt('import', () => call('meter.import', { paths, ...(timeZone ? { timeZone } : {}) }))
      if (done) {
        results.value = done.files
        skipped.value = done.skipped
        meters.value = (await attempt('load', () => call('meter.list'))) ?? meters.value
        if (selected.value) await select(selected.value)
      }
    } finally {
      importing.value = false
    }
  }

  return {
    ports,
    available,
    meters,
    selected,
    readings,
    volumes,
    progress,
    importing,
    results,
    skipped,
    failure,
    notice,
    load,
    addPort,
    removePort,
    assign,
    select,
    rescanVolumes,
    importLogs
  }
})
