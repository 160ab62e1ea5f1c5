// The meter bridge as the console sees it: ports and their status, meters and their prosumers,
// the selected meter's power over time (live readings batched into at most four redraws a
// second), and imports of meter logs with their progress and results.
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { EventPayload, FileImportResult, Meter, MeterPort, MethodInput, MethodOutput } from '../../src-shared/contract'
import { call, CallError, errorMessage, onEvent } from '../api'

type Reading = MethodOutput<'meter.readings'>[number]
type Volume = MethodOutput<'meter.volumes'>[number]

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
  const error = ref<string | null>(null)
  const fieldErrors = ref<Record<string, string>>({})

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

  async function attempt<T>(work: () => Promise<T>): Promise<T | undefined> {
    try {
      const result = await work()
      error.value = null
      fieldErrors.value = {}
      return result
    } catch (failure) {
      error.value = errorMessage(failure)
      fieldErrors.value = failure instanceof CallError ? Object.fromEntries((failure.fields ?? []).map((f) => [f.path, f.message])) : {}
      return undefined
    }
  }

  async function load(): Promise<void> {
    await attempt(async () => {
      ;[ports.value, meters.value, available.value, volumes.value] = await Promise.all([call('meter.ports'), call('meter.list'), call('meter.availablePorts'), call('meter.volumes')])
    })
  }

  async function addPort(input: MethodInput<'meter.addPort'>): Promise<boolean> {
    const port = await attempt(() => call('meter.addPort', input))
    if (port) ports.value = [...ports.value.filter((p) => p.path !== port.path), port]
    return port !== undefined
  }

  async function removePort(path: string): Promise<void> {
    if (await attempt(() => call('meter.removePort', { path }))) ports.value = ports.value.filter((p) => p.path !== path)
  }

  async function assign(meterId: string, prosumer: string | null): Promise<boolean> {
    const list = await attempt(() => call('meter.assign', { meterId, prosumer }))
    if (list) meters.value = list
    return list !== undefined
  }

  async function select(meterId: string): Promise<void> {
    selected.value = meterId
    arrived = []
    readings.value = (await attempt(() => call('meter.readings', { meterId, limit: CHART_POINTS }))) ?? []
  }

  async function rescanVolumes(): Promise<void> {
    const found = await attempt(() => call('meter.volumes'))
    if (found) volumes.value = found
  }

  async function importLogs(paths: string[], timeZone?: string): Promise<void> {
    importing.value = true
    progress.value = null
    results.value = null
    try {
      const done = await attempt(() => call('meter.import', { paths, ...(timeZone ? { timeZone } : {}) }))
      if (done) {
        results.value = done.files
        meters.value = (await attempt(() => call('meter.list'))) ?? meters.value
        if (selected.value) await select(selected.value)
      }
    } finally {
      importing.value = false
    }
  }

  return { ports, available, meters, selected, readings, volumes, progress, importing, results, error, fieldErrors, load, addPort, removePort, assign, select, rescanVolumes, importLogs }
})
