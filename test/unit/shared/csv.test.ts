import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { csvField, csvText } from '../../../src-shared/csv'
import { parseCsv } from '../../support/csv'

describe('CSV fields', () => {
  it.each([
    ['=HYPERLINK("http://evil.example","click")', `"'=HYPERLINK(""http://evil.example"",""click"")"`],
    ['+1+2', "'+1+2"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1:A9)', "'@SUM(A1:A9)"],
    ['\tcmd', "'\tcmd"],
    ['\rcmd', `"'\rcmd"`],
    ['EV1,G2', '"EV1,G2"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['EV1', 'EV1']
  ])('writes %j as %j', (value, written) => {
    expect(csvField(value)).toBe(written)
  })

  it('leaves numbers numbers, negative ones and exponents included', () => {
    expect(['-3.5', '+2', '0.000100', '-1e-7', '12'].map(csvField)).toEqual(['-3.5', '+2', '0.000100', '-1e-7', '12'])
    expect([-3.5, 0, 1e21].map(csvField)).toEqual(['-3.5', '0', '1e+21'])
  })

  it('reads back as the fields written, one record per row, whatever the text', () => {
    const field = fc.oneof(fc.string(), fc.constantFrom('=1+1', '-x', '@a', '"', ',', '\r\n', '\n', '-3.5'))
    fc.assert(
      fc.property(
        fc.array(field, { minLength: 1, maxLength: 5 }),
        fc.array(fc.array(field, { minLength: 1, maxLength: 5 }), { maxLength: 5 }),
        (header, rows) => {
          const width = header.length
          const fitted = rows.map((r) => Array.from({ length: width }, (_, i) => r[i] ?? ''))
          const parsed = parseCsv(csvText(header, fitted))
          const neutral = (v: string) =>
            /^[=+\-@\t\r]/.test(v) && !/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/.test(v) ? `'${v}` : v
          expect(parsed).toEqual([header, ...fitted].map((r) => r.map(neutral)))
        }
      )
    )
  })
})
