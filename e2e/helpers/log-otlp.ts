/**
 * Test helper: decodes an OTLP ExportLogsServiceRequest (protobuf) into plain objects, so
 * tests check what the collector pushed to the buffer without trusting the encoder that wrote
 * it. Only the fields the log collector sets are read; the wire format is protobuf's.
 */

export interface DecodedLogRecord {
  body: string
  severityNumber: number
  severityText: string
  timeUnixNano: bigint
  observedTimeUnixNano: bigint
  attributes: Record<string, string | number | boolean>
  resource: Record<string, string | number | boolean>
  scope: string
}

interface Field {
  no: number
  wire: number
  /** varint / fixed value */
  value?: bigint
  /** length-delimited payload */
  bytes?: Uint8Array
}

function* fields(buf: Uint8Array): Generator<Field> {
  let pos = 0
  const varint = (): bigint => {
    let result = 0n
    let shift = 0n
    for (;;) {
      const b = buf[pos++]
      if (b === undefined) throw new Error('truncated varint')
      result |= BigInt(b & 0x7f) << shift
      if (!(b & 0x80)) return result
      shift += 7n
    }
  }
  const fixed = (n: number): bigint => {
    let v = 0n
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(buf[pos + i])
    pos += n
    return v
  }
  while (pos < buf.length) {
    const tag = Number(varint())
    const no = tag >>> 3
    const wire = tag & 7
    if (wire === 0) yield { no, wire, value: varint() }
    else if (wire === 1) yield { no, wire, value: fixed(8) }
    else if (wire === 5) yield { no, wire, value: fixed(4) }
    else if (wire === 2) {
      const len = Number(varint())
      yield { no, wire, bytes: buf.subarray(pos, pos + len) }
      pos += len
    } else throw new Error(`unsupported wire type ${wire}`)
  }
}

const text = (b?: Uint8Array) => Buffer.from(b ?? new Uint8Array()).toString('utf8')

function anyValue(buf: Uint8Array): string | number | boolean {
  for (const f of fields(buf)) {
    if (f.no === 1) return text(f.bytes)
    if (f.no === 2) return f.value !== 0n
    if (f.no === 3) return Number(BigInt.asIntN(64, f.value!))
    if (f.no === 4) return Buffer.from(new BigUint64Array([f.value!]).buffer).readDoubleLE(0)
  }
  return ''
}

function keyValues(list: Uint8Array[]): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {}
  for (const kv of list) {
    let key = ''
    let value: string | number | boolean = ''
    for (const f of fields(kv)) {
      if (f.no === 1) key = text(f.bytes)
      if (f.no === 2) value = anyValue(f.bytes!)
    }
    out[key] = value
  }
  return out
}

function attributesOf(buf: Uint8Array, no: number): Record<string, string | number | boolean> {
  return keyValues([...fields(buf)].filter((f) => f.no === no).map((f) => f.bytes!))
}

export function decodeLogsRequest(body: Uint8Array): DecodedLogRecord[] {
  const out: DecodedLogRecord[] = []
  for (const rl of fields(body)) {
    if (rl.no !== 1) continue
    let resource: Record<string, string | number | boolean> = {}
    const scopes: Uint8Array[] = []
    for (const f of fields(rl.bytes!)) {
      if (f.no === 1) resource = attributesOf(f.bytes!, 1)
      if (f.no === 2) scopes.push(f.bytes!)
    }
    for (const sl of scopes) {
      let scope = ''
      for (const f of fields(sl)) {
        if (f.no === 1) for (const g of fields(f.bytes!)) if (g.no === 1) scope = text(g.bytes)
        if (f.no !== 2) continue
        const record: DecodedLogRecord = {
          body: '',
          severityNumber: 0,
          severityText: '',
          timeUnixNano: 0n,
          observedTimeUnixNano: 0n,
          attributes: attributesOf(f.bytes!, 6),
          resource,
          scope,
        }
        for (const g of fields(f.bytes!)) {
          if (g.no === 1) record.timeUnixNano = g.value!
          if (g.no === 2) record.severityNumber = Number(g.value)
          if (g.no === 3) record.severityText = text(g.bytes)
          if (g.no === 5) record.body = String(anyValue(g.bytes!))
          if (g.no === 11) record.observedTimeUnixNano = g.value!
        }
        out.push(record)
      }
    }
  }
  return out
}
