// Finds DSMR telegrams in a byte stream that may hold noise, cut-off telegrams and partial reads:
// a telegram starts with "/" at the start of a line and ends with a line "!" followed by 0 to 4
// hex digits (its CRC; DSMR 2.2 sends none). Bytes are handled as latin1 text, so a character
// offset is a byte offset. Work is linear in the stream: the search for a telegram's end resumes
// where the last one stopped, so a stream of many starts and no ends is not rescanned per start.

export interface Frame {
  /** the telegram from "/" through its CRC, without the final line break */
  text: string
  /** byte offset of the "/" in the whole stream */
  offset: number
}

export interface Dropped {
  offset: number
  reason: string
}

/** A meter sends at most a few kilobytes; anything longer without an end is noise. */
export const MAX_TELEGRAM_BYTES = 16_384

const END = /\n!([0-9A-Fa-f]{0,4})\r?\n/g
/** the longest end line, "\n!" + four digits + "\r\n": an end that starts closer than this to the tail may complete with the next bytes */
const END_MAX_LENGTH = 8

interface TelegramEnd {
  /** where the "\n!" is */
  index: number
  /** just after the end line's break */
  after: number
  crcLength: number
}

export class TelegramFramer {
  private buffer = ''
  /** stream offset of buffer[0] */
  private base = 0
  /** whether the byte before buffer[0] ended a line (the stream's start counts as one) */
  private afterLineBreak = true
  /** stream offset before which no end line starts (the end search resumes here) */
  private noEndBefore = 0
  /** the next end line found in this buffer, at or after noEndBefore */
  private nextEnd: TelegramEnd | null = null

  /** Stream offset of the oldest byte held: every offset reported later is at or after it. */
  get heldFrom(): number {
    return this.base
  }

  /** Feeds bytes; returns the telegrams completed by them and what was thrown away. */
  push(chunk: Uint8Array | string): { frames: Frame[]; dropped: Dropped[] } {
    this.buffer += typeof chunk === 'string' ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1')
    const frames: Frame[] = []
    const dropped: Dropped[] = []
    this.nextEnd = null // an end not found before may be completed by these bytes
    let position = 0
    for (;;) {
      const start = this.startAt(position)
      if (start < 0) {
        // keep nothing but a possible half line break before the next "/"
        position = Math.max(position, this.buffer.length - 1)
        break
      }
      const end = this.endAt(start)
      const restart = this.startAt(start + 1)
      if (end && (restart < 0 || end.index < restart)) {
        frames.push({ text: this.buffer.slice(start, end.index + 2 + end.crcLength), offset: this.base + start })
        position = end.after
        continue
      }
      if (restart >= 0) {
        // a new telegram began before this one ended: the meter was cut off mid-telegram
        dropped.push({ offset: this.base + start, reason: `telegram cut off: a new one starts at byte ${this.base + restart}` })
        position = restart
        continue
      }
      if (this.buffer.length - start > MAX_TELEGRAM_BYTES) {
        dropped.push({ offset: this.base + start, reason: `no end of telegram within ${MAX_TELEGRAM_BYTES} bytes` })
        position = start + 1
        continue
      }
      position = start // wait for the rest
      break
    }
    if (position > 0) this.afterLineBreak = this.buffer.charCodeAt(position - 1) === 10
    this.buffer = this.buffer.slice(position)
    this.base += position
    this.nextEnd = null
    return { frames, dropped }
  }

  /** The first end line at or after `from` in the buffer, resuming the search where the last one stopped. */
  private endAt(from: number): TelegramEnd | null {
    if (this.nextEnd && this.nextEnd.index >= from) return this.nextEnd
    END.lastIndex = Math.max(from, this.noEndBefore - this.base)
    const found = END.exec(this.buffer)
    if (found) {
      this.nextEnd = { index: found.index, after: END.lastIndex, crcLength: found[1]!.length }
      this.noEndBefore = this.base + found.index
    } else {
      this.nextEnd = null
      this.noEndBefore = this.base + Math.max(from, this.buffer.length - END_MAX_LENGTH + 1)
    }
    return this.nextEnd
  }

  /** What is left when the input ends: a telegram that never finished, if any. */
  end(): Dropped[] {
    const start = this.startAt(0)
    const left = start >= 0 ? [{ offset: this.base + start, reason: 'incomplete telegram at the end of the input' }] : []
    this.base += this.buffer.length
    this.buffer = ''
    this.noEndBefore = this.base
    return left
  }

  /** The next "/" that starts a line, at or after `from`. */
  private startAt(from: number): number {
    for (let i = this.buffer.indexOf('/', from); i >= 0; i = this.buffer.indexOf('/', i + 1)) {
      if (i === 0 ? this.afterLineBreak : this.buffer.charCodeAt(i - 1) === 10) return i
    }
    return -1
  }
}
