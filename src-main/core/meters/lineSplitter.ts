// Splits a byte stream into numbered lines in bounded memory: a line longer than MAX_LINE_BYTES is
// not collected (a file with no line breaks at all, or a binary file, would otherwise be held whole)
// but reported as too long, and the bytes up to the next line break are thrown away.

/** No meter log line comes near this; anything longer is not a log line. */
export const MAX_LINE_BYTES = 65_536

export type SplitLine = { number: number; text: string } | { number: number; tooLong: true }

const NEWLINE = 0x0a

export class LineSplitter {
  private held: Buffer[] = []
  private heldBytes = 0
  /** the current line passed MAX_LINE_BYTES: drop bytes until its line break */
  private skipping = false
  private lineNumber = 0

  /** bytes of the unfinished line held in memory: never more than MAX_LINE_BYTES */
  get pendingBytes(): number {
    return this.heldBytes
  }

  /** Feeds bytes; `onLine` gets every line they complete, without its "\n" (a "\r" stays). */
  push(chunk: Buffer, onLine: (line: SplitLine) => void): void {
    const last = chunk.lastIndexOf(NEWLINE)
    if (last < 0) return this.hold(chunk)
    const first = chunk.indexOf(NEWLINE)
    this.finishLine(chunk.subarray(0, first), onLine)
    if (last > first) {
      // the lines wholly inside this chunk, decoded at once ("\n" never occurs inside a UTF-8 sequence)
      for (const text of chunk.toString('utf8', first + 1, last).split('\n')) this.emit(text, onLine)
    }
    this.hold(chunk.subarray(last + 1))
  }

  /** The input ended: the last line, when it had no line break. */
  end(onLine: (line: SplitLine) => void): void {
    if (this.skipping || this.heldBytes > 0) this.finishLine(Buffer.alloc(0), onLine)
  }

  /** The line held so far, ended by `tail`. */
  private finishLine(tail: Buffer, onLine: (line: SplitLine) => void): void {
    if (this.skipping || this.heldBytes + tail.length > MAX_LINE_BYTES) {
      this.lineNumber++
      onLine({ number: this.lineNumber, tooLong: true })
    } else {
      const bytes = this.heldBytes === 0 ? tail : Buffer.concat([...this.held, tail])
      this.emit(bytes.toString('utf8'), onLine)
    }
    this.held = []
    this.heldBytes = 0
    this.skipping = false
  }

  private emit(text: string, onLine: (line: SplitLine) => void): void {
    this.lineNumber++
    // a UTF-8 character is at most 3 bytes per UTF-16 unit: only long strings need counting
    if (text.length > MAX_LINE_BYTES / 3 && Buffer.byteLength(text, 'utf8') > MAX_LINE_BYTES)
      onLine({ number: this.lineNumber, tooLong: true })
    else onLine({ number: this.lineNumber, text })
  }

  private hold(bytes: Buffer): void {
    if (this.skipping || bytes.length === 0) return
    if (this.heldBytes + bytes.length > MAX_LINE_BYTES) {
      this.skipping = true
      this.held = []
      this.heldBytes = 0
      return
    }
    this.held.push(Buffer.from(bytes)) // a copy: a slice would keep the whole read buffer alive
    this.heldBytes += bytes.length
  }
}
