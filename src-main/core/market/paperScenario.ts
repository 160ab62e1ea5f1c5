// The default scenario, resources/scenarios/paper-3x10.json, and the generator it comes from
// (`dv2g market example` writes it). The paper's setting (section VI-A): 3 grids, 10 EVs each
// with a PV system, 24 one-hour slots, ESU charge and discharge limits of 3 kW, efficiencies 0.6
// and 0.4, US price levels. Its profile data ([47]) is not public, so the profiles here are
// synthetic, with shapes and sizes stated below, and reproducible from the seed.
import { seededRandom } from '../../../src-shared/random'
import type { Scenario } from '../../../src-shared/market/scenario'

const SEED = 2020
const SLOTS = 24
const round = (v: number, digits = 3) => Number(v.toFixed(digits))

/** kWh per kWp in the hour starting at h: a half sine from 06:00 to 20:00, 0.75 at noon, times a cloud factor. */
function pvPerKWp(random: () => number): number[] {
  return Array.from({ length: SLOTS }, (_, h) => {
    const middle = h + 0.5
    const sun = middle > 6 && middle < 20 ? Math.sin((Math.PI * (middle - 6)) / 14) : 0
    return 0.75 * sun * (0.7 + 0.3 * random())
  })
}

/** A community's load (kWh per hour): a night base, a morning bump at 07–09 and an evening peak at 18–21. */
function communityLoad(peakKWh: number, random: () => number): number[] {
  return Array.from({ length: SLOTS }, (_, h) => {
    const morning = Math.exp(-((h - 7.5) ** 2) / 2)
    const evening = Math.exp(-((h - 19) ** 2) / 4)
    const shape = 0.35 + 0.35 * morning + 0.65 * evening
    return peakKWh * shape * (0.95 + 0.1 * random())
  })
}

/** An EV owner's use: a household base of 0.4 kWh an hour, plus driving (commuters at 07 and 17, taxis every other hour). */
function evUse(kind: 'commuter' | 'taxi', tripKWh: number): number[] {
  return Array.from({ length: SLOTS }, (_, h) => {
    const driving = kind === 'taxi' ? (h >= 7 && h < 22 && h % 2 === 1 ? tripKWh : 0) : h === 7 || h === 17 ? tripKWh : 0
    return 0.4 + driving
  })
}

const EVS = [
  { capacityKWh: 40, pvKWp: 3, kind: 'commuter', tripKWh: 4, reserve: 0.055, soc: 0.35 },
  { capacityKWh: 60, pvKWp: 4, kind: 'commuter', tripKWh: 5, reserve: 0.06, soc: 0.4 },
  { capacityKWh: 24, pvKWp: 2, kind: 'taxi', tripKWh: 2, reserve: 0.075, soc: 0.5 },
  { capacityKWh: 75, pvKWp: 4, kind: 'commuter', tripKWh: 6, reserve: 0.05, soc: 0.3 },
  { capacityKWh: 40, pvKWp: 3, kind: 'taxi', tripKWh: 2.5, reserve: 0.085, soc: 0.45 },
  { capacityKWh: 50, pvKWp: 3.5, kind: 'commuter', tripKWh: 4.5, reserve: 0.065, soc: 0.35 },
  { capacityKWh: 62, pvKWp: 4, kind: 'commuter', tripKWh: 5, reserve: 0.07, soc: 0.3 },
  { capacityKWh: 30, pvKWp: 2.5, kind: 'taxi', tripKWh: 2, reserve: 0.08, soc: 0.4 },
  { capacityKWh: 40, pvKWp: 3, kind: 'commuter', tripKWh: 3.5, reserve: 0.045, soc: 0.3 },
  { capacityKWh: 82, pvKWp: 4, kind: 'commuter', tripKWh: 6, reserve: 0.06, soc: 0.5 }
] as const

const GRIDS = [
  { xi: 0.3, kappa: 0.01, peakLoadKWh: 30, pvKWp: 10, storageKWh: 0 },
  { xi: 0.26, kappa: 0.012, peakLoadKWh: 22, pvKWp: 12, storageKWh: 10 },
  { xi: 0.34, kappa: 0.008, peakLoadKWh: 40, pvKWp: 20, storageKWh: 0 }
] as const

/** Time-of-use retail price, USD per kWh: 0.10 at night, 0.13 by day, 0.18 at the 16–21 peak, 0.11 late. */
const retailPrice = (h: number) => (h < 7 ? 0.1 : h < 16 ? 0.13 : h < 21 ? 0.18 : 0.11)

/**
 * The paper's setting, or the same kinds of EVs and grids at another size (`dv2g agent swarm`,
 * `dv2g bench market-network`): EVs repeat the ten above in turn, grids the three, and a grid's
 * load and PV grow with the EVs it has to buy from, so the market stays as tight as the paper's.
 */
export function paperScenario(size: { evs: number; grids: number } = { evs: EVS.length, grids: GRIDS.length }): Scenario {
  const random = seededRandom(SEED)
  const sunny = pvPerKWp(random)
  const gridScale = size.evs / size.grids / (EVS.length / GRIDS.length)
  const scaled = (kWh: number) => kWh * gridScale
  return {
    name: `paper-${size.grids}x${size.evs}`,
    description: 'The setting of Hassija et al. (2020), section VI-A: 3 grids and 10 EVs with PV over one day of 24 one-hour slots.',
    sources: {
      pv: `synthetic: half-sine irradiance 06:00–20:00 peaking at 0.75 kWh per kWp, hourly cloud factor 0.7–1 (seed ${SEED}); EVs 2–4 kWp, grids 10–20 kWp`,
      load: `synthetic: community load with a night base of 35 % of peak, a morning bump at 07–09 and an evening peak at 18–21, ±5 % noise (seed ${SEED}); EV owners use a household base of 0.4 kWh an hour plus driving: commuters 3.5–6 kWh at 07 and 17, taxis 2–2.5 kWh every other hour 07–21`,
      prices:
        'time-of-use retail caps 0.10/0.13/0.18/0.11 USD per kWh (mean 0.129; the 2020 US residential average was about 0.13, EIA); EV reserve prices 0.045–0.085 USD per kWh, of the order of battery degradation cost ω (10)',
      generator: 'src-main/core/market/paperScenario.ts (dv2g market example)'
    },
    slots: SLOTS,
    slotHours: 1,
    currency: 'USD',
    tokenBaseUnitsPerCurrencyUnit: 1_000_000,
    priceCap: Array.from({ length: SLOTS }, (_, h) => retailPrice(h)),
    game: { sigma1: 1, sigma2: 0.002, C: 1e-6, maxIterations: 200, egtMaxIterations: 2000, seed: SEED },
    evs: Array.from({ length: size.evs }, (_, m) => EVS[m % EVS.length]!).map((ev, m) => ({
      id: `EV${m + 1}`,
      battery: {
        capacityKWh: ev.capacityKWh,
        depthOfDischarge: 0.8,
        maxChargeKW: 3,
        maxDischargeKW: 3,
        chargeEfficiency: 0.6,
        dischargeEfficiency: 0.4,
        initialKWh: round(ev.capacityKWh * ev.soc)
      },
      reservePrice: ev.reserve,
      productionKWh: sunny.map((kWh) => round(kWh * ev.pvKWp * (0.9 + 0.1 * random()))),
      consumptionKWh: evUse(ev.kind, ev.tripKWh)
    })),
    grids: Array.from({ length: size.grids }, (_, n) => GRIDS[n % GRIDS.length]!).map((g, n) => ({
      id: `G${n + 1}`,
      xi: g.xi,
      kappa: g.kappa / gridScale,
      productionKWh: sunny.map((kWh) => round(scaled(kWh * g.pvKWp))),
      consumptionKWh: communityLoad(scaled(g.peakLoadKWh), random).map((kWh) => round(kWh)),
      ...(g.storageKWh > 0 ? { storage: { capacityKWh: scaled(g.storageKWh), initialKWh: scaled(g.storageKWh) / 2 } } : {})
    }))
  }
}
