// The network node of this process: its status, peers and bans, and the networking switch.
import { z } from 'zod'
import { count, method, noInput, num } from './common'

/** A peer of the network node, as dv2g peers --json gives it. */
export const networkPeerSchema = z.object({
  id: z.string(),
  addresses: z.array(z.string()),
  connected: z.boolean(),
  latencyMs: num.nullable(),
  score: num
})
export type NetworkPeer = z.infer<typeof networkPeerSchema>

/** A peer banned for misbehaving, as dv2g peers --banned --json gives it: until is ISO 8601. */
export const bannedPeerSchema = z.object({
  id: z.string(),
  reason: z.string(),
  until: z.string()
})
export type BannedPeer = z.infer<typeof bannedPeerSchema>

/** Counters since the node started (the console turns them into rates) and the sync under way. */
export const networkActivitySchema = z.object({
  gossip: z.object({ received: count, rejected: count, published: count }),
  sync: z.object({ peer: z.string(), target: count, received: count }).nullable(),
  /** peers' transactions waiting to be stored, the queue's bound, and gossip turned away because it was full */
  ingest: z.object({ queued: count, capacity: count, turnedAway: count })
})
export type NetworkActivity = z.infer<typeof networkActivitySchema>

/** The network node this process runs, as dv2g network status --json gives it; running false when it runs none. */
export const networkStatusSchema = z.discriminatedUnion('running', [
  z.object({
    running: z.literal(true),
    peerId: z.string(),
    /** the genesis id; null until the node has one */
    networkId: z.string().nullable(),
    listen: z.array(z.string()),
    peers: count,
    latestMilestone: count.nullable(),
    stateHash: z.string().nullable(),
    syncing: z.boolean(),
    transactions: count
  }),
  z.object({ running: z.literal(false) })
])
export type NetworkStatus = z.infer<typeof networkStatusSchema>

const addressList = (max: number) => z.array(z.string().trim().min(1, { message: 'must not be empty' }).max(512)).max(max)

/** Settings, Network: whether the desktop app or dv2g serve runs this data dir as a node, and how. */
export const networkSettingsSchema = z
  .object({
    enabled: z.boolean(),
    /** multiaddrs to listen on, e.g. /ip4/127.0.0.1/tcp/4781 */
    listen: addressList(8).min(1, { message: 'needs at least one address' }),
    /** bootstrap peers, each ending with its /p2p/ id */
    peers: addressList(64),
    /** find peers on the LAN (multicast DNS) */
    mdns: z.boolean()
  })
  .strict()
export type NetworkSettings = z.infer<typeof networkSettingsSchema>

export const networkSwitchSchema = z.object({
  settings: networkSettingsSchema,
  /** false when dv2g serve's command line decided the node */
  editable: z.boolean(),
  running: z.boolean(),
  /** why the node does not run as the settings ask, or null */
  error: z.string().nullable()
})
export type NetworkSwitchState = z.infer<typeof networkSwitchSchema>

export const networkMethods = {
  /** the network node of this process (dv2g serve --listen/--peer); no peers when it runs none */
  'network.status': method(noInput, networkStatusSchema),
  'network.peers': method(noInput, z.array(networkPeerSchema)),
  /** peers banned for invalid transactions, oversized frames or floods; none when it runs no node */
  'network.banned': method(noInput, z.array(bannedPeerSchema)),
  /** null when this process runs no node */
  'network.activity': method(noInput, networkActivitySchema.nullable()),
  'network.settings': method(noInput, networkSwitchSchema),
  'network.configure': method(networkSettingsSchema, networkSwitchSchema)
} as const
