/**
 * A strict RFC 4180 reader for what the app writes: records end at a line break outside quotes
 * (LF or CRLF), a quoted field doubles its quotes, and anything else (a quote inside an unquoted
 * field, text after a closing quote, an unclosed quote) is an error rather than a guess.
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = []
  let record: string[] = []
  let field = ''
  let at = 0
  const endField = () => {
    record.push(field)
    field = ''
  }
  while (at < text.length) {
    if (text[at] === '"') {
      at++
      for (;;) {
        if (at >= text.length) throw new Error('a quoted field is never closed')
        if (text[at] === '"') {
          if (text[at + 1] === '"') {
            field += '"'
            at += 2
            continue
          }
          at++
          break
        }
        field += text[at++]
      }
      if (at < text.length && !/[,\r\n]/.test(text[at]!)) throw new Error(`text after a closing quote at ${at}`)
    }
    while (at < text.length && !/[,\r\n]/.test(text[at]!)) {
      if (text[at] === '"') throw new Error(`a quote inside an unquoted field at ${at}`)
      field += text[at++]
    }
    if (at >= text.length) break
    if (text[at] === ',') {
      endField()
      at++
      continue
    }
    // a record's end: LF or CRLF
    if (text[at] === '\r') {
      if (text[at + 1] !== '\n') throw new Error(`a CR that does not end a record at ${at}`)
      at++
    }
    at++
    endField()
    records.push(record)
    record = []
  }
  if (field !== '' || record.length > 0) {
    endField()
    records.push(record)
  }
  return records
}
