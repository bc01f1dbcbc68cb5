/**
 * Reading a `google.rpc.Status` (the body of an OTLP/HTTP error and gRPC's
 * `grpc-status-details-bin` trailer) far enough to find its message and a
 * `google.rpc.RetryInfo` delay. Hand-rolled: three small messages do not justify
 * a protobuf runtime.
 */

const RETRY_INFO = 'type.googleapis.com/google.rpc.RetryInfo'

class Reader {
  pos = 0
  constructor(private readonly buf: Uint8Array) {}
  get done(): boolean {
    return this.pos >= this.buf.length
  }
  varint(): number {
    let result = 0
    let factor = 1
    for (;;) {
      if (this.pos >= this.buf.length) throw new Error('truncated varint')
      const b = this.buf[this.pos++]!
      result += (b & 0x7f) * factor
      if ((b & 0x80) === 0) return result
      factor *= 128
    }
  }
  bytes(): Uint8Array {
    const len = this.varint()
    if (this.pos + len > this.buf.length) throw new Error('truncated field')
    const out = this.buf.subarray(this.pos, this.pos + len)
    this.pos += len
    return out
  }
  skip(wire: number): void {
    if (wire === 0) this.varint()
    else if (wire === 1) this.pos += 8
    else if (wire === 2) this.bytes()
    else if (wire === 5) this.pos += 4
    else throw new Error(`unsupported wire type ${wire}`)
  }
  each(on: (field: number, wire: number) => boolean): void {
    while (!this.done) {
      const tag = this.varint()
      const field = Math.floor(tag / 8)
      const wire = tag & 7
      if (!on(field, wire)) this.skip(wire)
    }
  }
}

const text = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8')

export interface RpcStatus {
  code: number
  message: string
  /** From a RetryInfo detail, when there is one. */
  retryDelayMs?: number
}

function retryDelay(value: Uint8Array): number | undefined {
  let ms: number | undefined
  const info = new Reader(value)
  info.each((field, wire) => {
    if (field !== 1 || wire !== 2) return false
    let seconds = 0
    let nanos = 0
    const duration = new Reader(info.bytes())
    duration.each((f, w) => {
      if (w !== 0) return false
      if (f === 1) seconds = duration.varint()
      else if (f === 2) nanos = duration.varint()
      else return false
      return true
    })
    ms = seconds * 1000 + Math.round(nanos / 1e6)
    return true
  })
  return ms
}

/** Decodes a google.rpc.Status; undefined when the bytes are not one. */
export function decodeRpcStatus(bytes: Uint8Array): RpcStatus | undefined {
  try {
    const status: RpcStatus = { code: 0, message: '' }
    const r = new Reader(bytes)
    r.each((field, wire) => {
      if (field === 1 && wire === 0) status.code = r.varint()
      else if (field === 2 && wire === 2) status.message = text(r.bytes())
      else if (field === 3 && wire === 2) {
        const any = new Reader(r.bytes())
        let typeUrl = ''
        let value: Uint8Array | undefined
        any.each((f, w) => {
          if (w !== 2) return false
          if (f === 1) typeUrl = text(any.bytes())
          else if (f === 2) value = any.bytes()
          else return false
          return true
        })
        if (typeUrl === RETRY_INFO && value) status.retryDelayMs = retryDelay(value)
      } else return false
      return true
    })
    return status
  } catch {
    return undefined
  }
}
