// Control characters (C0, DEL, C1) in text that came from a file or a user. Written to a terminal
// they move the cursor, hide or recolour text and rewrite lines; shown as visible escapes they
// cannot, and the reader still sees that something was there.

/** C0 (U+0000–U+001F), DEL (U+007F) and C1 (U+0080–U+009F). */
/* eslint-disable no-control-regex -- matching control characters is what these are for */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g
const CONTROLS_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g
/* eslint-enable no-control-regex */

/** The code point of the first control character, as "U+001B", or undefined when there is none. */
export function firstControlCharacter(text: string): string | undefined {
  const found = CONTROL.exec(text)
  return found ? `U+${found[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}` : undefined
}

/**
 * Each control character as a visible \xNN ("\x1b[8m" for ESC [ 8 m). With keepNewlines, line
 * feeds stay line feeds: output of several lines keeps its shape, and a carriage return, which
 * could overwrite what a line showed, is still escaped.
 */
export function escapeControlCharacters(text: string, { keepNewlines = false } = {}): string {
  return text.replace(keepNewlines ? CONTROLS_BUT_NEWLINE : CONTROLS, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}
