// Run by `dv2g bench tangle` in a fresh process: opens a ledger database until it is ready to
// attach, and prints how long that took and the process's resident memory.
import { openDatabase } from '../db/connection'
import { Ledger } from './ledger'

const started = performance.now()
const ledger = new Ledger(openDatabase(process.argv[2]!))
ledger.selector.selectPair()
const openSeconds = (performance.now() - started) / 1000
process.stdout.write(JSON.stringify({ openSeconds, rssMB: process.memoryUsage().rss / 2 ** 20, transactions: ledger.graph.size }))
