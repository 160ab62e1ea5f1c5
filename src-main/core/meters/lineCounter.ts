// Line numbers of byte offsets in a stream read once, front to back: the lines before the text it
// holds are counted once and forgotten, so asking for the lines of many offsets costs what reading
// the stream costs, not a rescan per offset.

export class LineCounter {
  /** the stream from stream offset `textBase` on */
  private text = ''
  private textBase = 0
  /** index into text up to which line breaks are counted */
  private counted = 0
  /** the line that text[counted] is on */
  private line = 1

  append(text: string): void {
    this.text += text
  }

  /** The 1-based line of a stream offset; offsets must not go backwards. */
  lineAt(offset: number): number {
    const to = offset - this.textBase
    if (to < this.counted) throw new RangeError(`offset ${offset} is before one already counted`)
    for (let i = this.text.indexOf('\n', this.counted); i >= 0 && i < to; i = this.text.indexOf('\n', i + 1)) this.line++
    this.counted = Math.min(to, this.text.length)
    return this.line
  }

  /** No offset before `offset` is asked for again: the text before it can go. */
  forgetBefore(offset: number): void {
    this.lineAt(offset)
    // dropped in one slice once it is most of what is held: copying per call would be quadratic
    if (this.counted > this.text.length / 2) {
      this.text = this.text.slice(this.counted)
      this.textBase += this.counted
      this.counted = 0
    }
  }
}
