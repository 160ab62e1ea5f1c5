import { describe, expect, it } from 'vitest'
import { createOutput } from '../../../../src-main/cli/output'

function capture(json: boolean) {
  const written = { stdout: '', stderr: '' }
  const stream = <S>(name: keyof typeof written) => ({ write: (text: string) => ((written[name] += text), true) }) as unknown as S
  return { out: createOutput(json, stream<typeof process.stdout>('stdout'), stream<typeof process.stderr>('stderr')), written }
}

describe('CLI output', () => {
  it('escapes control characters in human results and notes, keeping their lines', () => {
    const { out, written } = capture(false)
    out.result({}, () => 'meter \x1b[8mhidden\x1b[0m\nline 2\r\x9b2J')
    out.note('line 7: got "\x07\x1b]0;title\x07"')
    expect(written.stdout).toBe('meter \\x1b[8mhidden\\x1b[0m\nline 2\\x0d\\x9b2J\n')
    expect(written.stderr).toBe('line 7: got "\\x07\\x1b]0;title\\x07"\n')
  })

  it('leaves --json results to JSON, and still escapes the notes people read on stderr', () => {
    const { out, written } = capture(true)
    out.result({ id: '\x1b[8m' }, () => 'unused')
    out.note('\x1b[2J')
    expect(JSON.parse(written.stdout)).toEqual({ id: '\x1b[8m' })
    expect(written.stdout).not.toContain('\x1b')
    expect(written.stderr).toBe('\\x1b[2J\n')
  })
})
