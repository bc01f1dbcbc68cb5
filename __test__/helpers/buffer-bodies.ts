/** Deterministic, varied OTLP-like bodies for buffer tests: the same index always gives the same bytes. */
export function bodyFor(index: number, length = 40 + ((index * 7919) % 3000)): Uint8Array {
  const body = new Uint8Array(length)
  let x = (index * 2654435761) >>> 0 || 1
  for (let i = 0; i < length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    body[i] = x & 0xff
  }
  return body
}
