/** A copy of a typed array with twice the room: columns that grow as rows arrive. */
export function doubled<T extends Int32Array | Float64Array>(a: T): T {
  const bigger = new (a.constructor as new (length: number) => T)(a.length * 2)
  bigger.set(a)
  return bigger
}
