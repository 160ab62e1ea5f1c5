// CRC-16/ARC, the checksum of a DSMR P1 telegram: polynomial 0x8005 reflected (0xA001), initial
// value 0, no final XOR, over every byte from "/" through "!".

const TABLE = (() => {
  const table = new Uint16Array(256)
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1
    table[byte] = crc
  }
  return table
})()

/** CRC of text[from, to) read as single bytes (telegrams are ASCII, decoded as latin1). */
export function crc16Arc(text: string, from = 0, to = text.length): number {
  let crc = 0
  for (let i = from; i < to; i++) crc = (crc >>> 8) ^ TABLE[(crc ^ text.charCodeAt(i)) & 0xff]!
  return crc
}
