// Milestones on a network of five real `dv2g node` processes on 127.0.0.1, each with its own data
// dir: the operator's node (the treasury, the milestone issuer the genesis names) issues a milestone
// every second; the others take its genesis and apply its milestones on ingest. Every node must
// reach the same milestone with the same state hash, mark the same winner of every double spend,
// and catch up after it was stopped. Writes go to each node through its data dir's channel, the
// way the dv2g commands send them. The tests share one network and run in order.
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { NetworkStatus } from '../../src-main/core/network/view'
import { callChannel } from '../../src-main/core/owner/channel'
import { readHolder } from '../../src-main/core/owner/lock'
import { Keystore } from '../../src-main/core/wallet/keystore'
import { createTreasuryDataDir, dv2g, dv2gJson, readNodeDatabase, startNode, waitFor, type NodeProcess } from '../support/nodes'
import { useTempDirs } from '../support/tempDir'

// the five nodes' data dirs outlive each test: the tests share the network
const tempDir = useTempDirs({ perFile: true })
const PASSPHRASE = 'milestone-test-passphrase'
const withPassphrase = { DV2G_PASSPHRASE: PASSPHRASE }
const MILESTONE_SECONDS = 1
const issuing = ['--milestone-seconds', String(MILESTONE_SECONDS)]
const dataDirWithTreasury = () => createTreasuryDataDir(tempDir(), PASSPHRASE)

/** An operation on the node that holds the data dir, through its channel, as `dv2g` forwards one. */
function ask<T>(node: NodeProcess, operation: string, input: unknown): Promise<T> {
  const holder = readHolder(node.dataDir)
  if (!holder) throw new Error(`no process holds ${node.dataDir}`)
  return callChannel(holder, operation, input, () => {}, 10_000) as Promise<T>
}

interface LedgerState {
  latestMilestone: number | null
  stateHash: string | null
  transactions: number
  /** stored transactions no milestone has referenced yet */
  unreferenced: number
}

const readDb = <T>(node: NodeProcess, read: (db: Database.Database) => T): T => readNodeDatabase(node.dataDir, read)

const ledgerState = (node: NodeProcess): LedgerState =>
  readDb(node, (db) => {
    const latest = db.prepare('SELECT idx, lower(hex(state_hash)) AS hash FROM milestones ORDER BY idx DESC LIMIT 1').get() as
      { idx: number; hash: string } | undefined
    return {
      latestMilestone: latest?.idx ?? null,
      stateHash: latest?.hash ?? null,
      transactions: db.prepare('SELECT count(*) FROM transactions').pluck().get() as number,
      unreferenced: db
        .prepare('SELECT count(*) FROM transactions t WHERE NOT EXISTS (SELECT 1 FROM milestone_refs r WHERE r.seq = t.seq)')
        .pluck()
        .get() as number
    }
  })

/** Whether a milestone applied each transaction (true), marked it conflicting (false), or has not referenced it (null). */
const appliedFlags = (node: NodeProcess, ids: readonly string[]): (boolean | null)[] =>
  readDb(node, (db) => {
    const flag = db.prepare('SELECT r.applied FROM transactions t JOIN milestone_refs r USING (seq) WHERE t.id = ?').pluck()
    return ids.map((id) => {
      const applied = flag.get(Buffer.from(id, 'hex')) as number | undefined
      return applied === undefined ? null : applied === 1
    })
  })

const holds = (node: NodeProcess, id: string) =>
  readDb(node, (db) => db.prepare('SELECT 1 FROM transactions WHERE id = ?').get(Buffer.from(id, 'hex')) !== undefined)

const sameState = (states: LedgerState[]) =>
  states.every(
    (s) =>
      s.latestMilestone === states[0]!.latestMilestone && s.stateHash === states[0]!.stateHash && s.transactions === states[0]!.transactions
  )

/** A failed wait names what each node logged: a refused milestone or transaction says why there. */
async function withLogs<T>(nodes: readonly NodeProcess[], waiting: Promise<T>): Promise<T> {
  try {
    return await waiting
  } catch (error) {
    const logs = nodes.map((node, i) => `node ${i} (${node.peerId}):\n${node.log().split('\n').slice(-40).join('\n')}`)
    throw new Error(`${(error as Error).message}\n${logs.join('\n')}`)
  }
}

/** Waits until `node` has taken the operator's genesis. */
const joined = (node: NodeProcess, networkId: string) =>
  waitFor(
    async () => node.log(),
    (log) => log.includes(`joined network ${networkId}`) || node.networkId === networkId,
    60_000,
    `${node.peerId} to join the network`
  )

/** Waits until every node holds the same transactions, all referenced by the same latest milestone with the same state hash. */
const allAgree = (nodes: readonly NodeProcess[], atLeast: number, label: string) =>
  withLogs(
    nodes,
    waitFor(
      async () => nodes.map(ledgerState),
      (s) => sameState(s) && s[0]!.transactions >= atLeast && s.every((n) => n.unreferenced === 0),
      90_000,
      label
    )
  )

const ROUNDS = 20
const AMOUNT = 1_000

describe('milestones on a network of five nodes', () => {
  // node 0 is the operator's (it issues milestones); nodes 1 and 2 hold the same wallets (the same
  // mnemonics: one per double-spend round); nodes 3 and 4 start empty and take the genesis from node 0
  const nodes: NodeProcess[] = []
  const sinks: string[] = []
  const shared: { name: string; address: string }[] = []

  beforeAll(async () => {
    const [left, right] = [tempDir(), tempDir()]
    const keystores = [left, right].map((dir) => {
      const keystore = new Keystore(join(dir, 'keystore.json'), { kdf: { N: 1 << 14, r: 8, p: 1 } })
      keystore.unlock(PASSPHRASE)
      return keystore
    })
    sinks.push(...['left sink', 'right sink'].map((name, i) => keystores[i]!.create(name, 'ev').wallet.address))
    for (let round = 0; round < ROUNDS; round++) {
      const name = `shared ${round}`
      const { wallet, mnemonic } = keystores[0]!.create(name, 'ev')
      keystores[1]!.import(name, 'ev', mnemonic)
      shared.push({ name, address: wallet.address })
    }
    const operator = await startNode(await dataDirWithTreasury(), issuing, withPassphrase)
    nodes.push(operator)
    nodes.push(...(await Promise.all([left, right, tempDir(), tempDir()].map((dir) => startNode(dir, ['--peer', operator.listen[0]!])))))
    for (const node of nodes.slice(1)) await joined(node, operator.networkId!)
    await waitFor(
      () => ask<NetworkStatus>(operator, 'network.status', {}),
      (s) => s.peers === 4,
      60_000,
      'the operator node to count every peer'
    )
  }, 240_000)

  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.stop()))
  })

  it('brings all five to the same latest milestone and state hash after transactions issued on two of them', async () => {
    const [operator, , , other] = nodes as [NodeProcess, NodeProcess, NodeProcess, NodeProcess]
    const before = ledgerState(operator).transactions
    const spams = await Promise.all(
      [operator, other].map((node) => ask<{ issued: number; accepted: number }>(node, 'tangle.spam', { count: 20 }))
    )
    expect(spams).toEqual([expect.objectContaining({ issued: 20, accepted: 20 }), expect.objectContaining({ issued: 20, accepted: 20 })])
    const spammedAt = Date.now()

    // every transaction referenced by a milestone, and every node at that milestone with that state hash
    const states = await allAgree(nodes, before + 40, 'all five nodes to agree on a milestone that references all 40 transactions')
    const agreedAfterMs = Date.now() - spammedAt
    expect(states[0]!.latestMilestone).toBeGreaterThanOrEqual(1)
    expect(states[0]!.stateHash).toMatch(/^[0-9a-f]{64}$/)

    // network status tells the same, from the operator through the channel and from a joined node through the CLI
    const [fromOperator, fromCli] = await Promise.all([
      ask<NetworkStatus>(operator, 'network.status', {}),
      dv2gJson<NetworkStatus>(['--data-dir', other.dataDir, 'network', 'status'])
    ])
    const idle = ledgerState(operator)
    for (const status of [fromOperator, fromCli])
      expect(status).toMatchObject({ latestMilestone: idle.latestMilestone, stateHash: idle.stateHash, peers: expect.any(Number) })
    // the CLI call took seconds, several intervals: with nothing new, no milestone was issued meanwhile
    expect(idle.latestMilestone).toBe(states[0]!.latestMilestone)
    console.log(
      `milestones: 5 nodes, 40 transactions issued on two, milestone every ${MILESTONE_SECONDS} s: all at milestone ${idle.latestMilestone} with one state hash ${agreedAfterMs} ms after the issuing ended`
    )
  }, 180_000)

  it(`marks the same winner of a double spend on every node, submitted to two nodes at once, ${ROUNDS} times`, async () => {
    const [operator, leftNode, rightNode] = nodes as [NodeProcess, NodeProcess, NodeProcess]
    const funding: string[] = []
    for (const { address } of shared) {
      const { id } = await ask<{ id: string }>(operator, 'wallet.send', {
        from: 'treasury',
        to: address,
        amount: String(AMOUNT),
        passphrase: PASSPHRASE
      })
      funding.push(id)
    }
    await waitFor(
      async () => [leftNode, rightNode].every((node) => funding.every((id) => holds(node, id))),
      (held) => held,
      60_000,
      'both spending nodes to hold every funding transfer'
    )

    // round after round: the same output spent on two nodes at the same moment, to two different
    // wallets, until a milestone has applied one side on every node (final there: the other side
    // can never be applied; a node issues nothing new on top of an undecided double spend)
    const winnerOnNodes: number[][] = []
    const decideMs: number[] = []
    for (const [round, { name }] of shared.entries()) {
      const submitted = Date.now()
      const sides = await Promise.all(
        [leftNode, rightNode].map((node, i) =>
          ask<{ id: string }>(node, 'wallet.send', { from: name, to: sinks[i], amount: String(AMOUNT), passphrase: PASSPHRASE }).then(
            ({ id }) => id,
            (error: Error) => {
              throw new Error(`round ${round + 1}: the send on the ${i ? 'right' : 'left'} node was refused: ${error.message}`)
            }
          )
        )
      )
      const seen = await withLogs(
        nodes,
        waitFor(
          // what each node holds and applied, so a wait that fails shows where the network split
          async () =>
            nodes.map((node) => ({
              applied: appliedFlags(node, sides),
              held: sides.map((id) => holds(node, id)),
              state: ledgerState(node)
            })),
          (byNode) => byNode.every(({ applied }) => applied.filter((flag) => flag === true).length === 1),
          60_000,
          `round ${round + 1}: every node to apply exactly one side of the double spend`
        )
      )
      decideMs.push(Date.now() - submitted)
      winnerOnNodes.push(seen.map(({ applied }) => applied.indexOf(true)))
    }
    for (const [round, winners] of winnerOnNodes.entries()) expect(winners, `round ${round + 1}`).toEqual(winners.map(() => winners[0]))
    // and they agree on the whole state once the network is quiet
    await allAgree(nodes, 0, 'all five nodes to reach the same milestone and state hash')
    const leftWins = winnerOnNodes.filter((winners) => winners[0] === 0).length
    const sorted = [...decideMs].sort((x, y) => x - y)
    console.log(
      `milestones: ${ROUNDS} double spends submitted to two nodes at once; all 5 nodes applied the same side every round (left ${leftWins}, right ${ROUNDS - leftWins}); decided on every node within median ${sorted[Math.floor(ROUNDS / 2)]} ms, max ${sorted.at(-1)} ms of submission (milestone every ${MILESTONE_SECONDS} s)`
    )
  }, 480_000)

  it('brings two of the five, stopped while issuing went on, back to the same state hash, then they follow gossip', async () => {
    const [operator, leftNode] = nodes as [NodeProcess, NodeProcess]
    const stopped = nodes.splice(3, 2)
    await Promise.all(stopped.map((node) => node.stop()))
    const heldAtStop = stopped.map((node) => ledgerState(node).transactions)

    // a joined node holds the genesis but not the issuer's wallet: it refuses to issue, with one line
    const [noKey, badInterval] = await Promise.all([
      dv2g(['--data-dir', stopped[0]!.dataDir, 'node', '--listen', '/ip4/127.0.0.1/tcp/0', ...issuing], withPassphrase),
      dv2g(['--data-dir', stopped[1]!.dataDir, 'node', '--milestone-seconds', '0'])
    ])
    expect(noKey.status, noKey.stderr).toBe(2)
    expect(noKey.stderr.trim()).toMatch(
      /^dv2g: --milestone-seconds: this data dir holds no milestone issuer key \(the genesis names [0-9a-f]{16}…\); run it on the operator's data dir$/
    )
    expect(badInterval.status).toBe(2)
    expect(badInterval.stderr).toContain('--milestone-seconds must be between 0.1 and 86400, got 0')

    // issuing goes on with three of five
    const before = ledgerState(operator).transactions
    await Promise.all([operator, leftNode].map((node) => ask(node, 'tangle.spam', { count: 100 })))
    await allAgree(nodes, before + 200, 'the three running nodes to agree on all 200 new transactions')
    expect(stopped.map((node) => ledgerState(node).transactions)).toEqual(heldAtStop)

    const restartedAt = Date.now()
    const restarted = await Promise.all(stopped.map((node) => startNode(node.dataDir, ['--peer', operator.listen[0]!])))
    nodes.push(...restarted)
    const caughtUp = await allAgree(nodes, before + 200, 'the two restarted nodes to catch up to the same milestone and state hash')
    const caughtUpMs = Date.now() - restartedAt

    // caught up, they follow what is issued next
    await ask(leftNode, 'tangle.spam', { count: 5 })
    await allAgree(nodes, caughtUp[0]!.transactions + 5, 'all five nodes, the restarted included, to agree on 5 more transactions')
    console.log(
      `milestones: 2 of 5 nodes stopped while 200 transactions were issued; restarted, both at the same milestone and state hash ${caughtUpMs} ms after their restart began`
    )
  }, 240_000)
})
