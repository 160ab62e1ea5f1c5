import { setFlagsFromString } from 'node:v8'

/** how much V8 may grow the heap past what the last full collection kept, in per cent */
const HEAP_GROWING_PERCENT = 25

/**
 * For processes that run all day (dv2g node, dv2g serve). A node's live heap is small and
 * bounded: the tangle's graph lives in typed arrays outside it, and what it does hold (gossip
 * caches, queues) is bounded by time or count. Under load V8 otherwise lets the heap grow to
 * several times the live set before it collects: in `dv2g bench network` a node peaked at
 * 389 MB, though the same load also ran with the heap capped at 128 MB. This is a soft bound, unlike --max-old-space-size: a process that needs more still gets
 * it, after more frequent collections. It works when set at start-up, before the heap grows.
 */
export function keepHeapCompact(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`)
}
