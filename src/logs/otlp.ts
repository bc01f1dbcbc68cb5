/**
 * Records of one file become one OTLP ExportLogsServiceRequest (protobuf bytes, what the buffer
 * stores and the exporter replays), written straight into one buffer.
 *
 * Each record carries `log.file.path` and `log.file.name` (OpenTelemetry semantic conventions,
 * as the Collector's filelog receiver sets them), the observed time (when the agent read it),
 * the body as a string, and the severity parsed from the text. The event time is left unset
 * (0): nothing here parses timestamps out of the text, and OTLP says 0 means "unknown".
 *
 * Why not the SDK's `ReadableLogRecord` + serializer: under a burst that path built an object
 * graph per line and re-encoded the same resource, scope and attributes for every record; it
 * was most of the agent's CPU per line. Here everything constant in a request (resource, scope,
 * each path's attributes) is encoded once, and a record costs its severity and its body.
 * The field numbers are those of opentelemetry-proto's `logs/v1/logs.proto`.
 */
import { basename } from 'node:path'
import { VERSION } from '../version'
import { parseSeverity } from './severity'

export const SCOPE_NAME = 'tfo-agent/logs'

type Scalar = string | number | boolean

// Tags: (field number << 3) | wire type (0 varint, 1 fixed64, 2 length-delimited).
const REQUEST_RESOURCE_LOGS = 0x0a // ExportLogsServiceRequest.resource_logs = 1
const SCOPE_LOGS = 0x12 // ResourceLogs.scope_logs = 2
const LOG_RECORD = 0x12 // ScopeLogs.log_records = 2
const SEVERITY_NUMBER = 0x10 // LogRecord.severity_number = 2
const SEVERITY_TEXT = 0x1a // LogRecord.severity_text = 3
const BODY = 0x2a // LogRecord.body = 5
const ATTRIBUTE = 0x32 // LogRecord.attributes = 6
const OBSERVED_TIME = 0x59 // LogRecord.observed_time_unix_nano = 11 (fixed64)
const STRING_VALUE = 0x0a // AnyValue.string_value = 1

export class LogEncoder {
  /** ResourceLogs.resource = 1, tag included. */
  private readonly resource: Buffer
  /** ScopeLogs.scope = 1, tag included. */
  private readonly scope: Buffer
  /** Each path's two attributes, tags included (a handful of paths are followed at a time). */
  private readonly attributes = new Map<string, Buffer>()
  /** Per record of the request being encoded (reused): lengths, and the severity found. */
  private bodyLens = new Int32Array(1024)
  private recordLens = new Int32Array(1024)
  private sevNumbers = new Int32Array(1024)
  private sevBytes = new Int32Array(1024)
  private sevTexts: string[] = []

  constructor(resource: Record<string, Scalar>) {
    const kvs = Object.entries(resource).map(([k, v]) => field(1, keyValue(k, v)))
    this.resource = field(1, Buffer.concat(kvs)) // Resource.attributes = 1
    this.scope = field(1, Buffer.concat([field(1, utf8(SCOPE_NAME)), field(2, utf8(VERSION))]))
  }

  /** The request body for `texts`, all read from `path` at `observedMs` (unix ms). */
  encode(path: string, texts: readonly string[], observedMs: number): Uint8Array {
    const attrs = this.pathAttributes(path)
    const n = texts.length
    if (this.bodyLens.length < n) {
      this.bodyLens = new Int32Array(n)
      this.recordLens = new Int32Array(n)
      this.sevNumbers = new Int32Array(n)
      this.sevBytes = new Int32Array(n)
    }
    const sevTexts = this.sevTexts
    let scopeLogsLen = this.scope.length
    for (let i = 0; i < n; i++) {
      const text = texts[i]
      const severity = parseSeverity(text)
      const sevBytes = severity.text ? Buffer.byteLength(severity.text) : 0
      this.sevNumbers[i] = severity.number
      this.sevBytes[i] = sevBytes
      sevTexts[i] = severity.text
      const bodyLen = Buffer.byteLength(text)
      const anyLen = 1 + varintLen(bodyLen) + bodyLen
      let len = 1 + varintLen(anyLen) + anyLen + attrs.length + 9
      if (severity.number) len += 1 + varintLen(severity.number)
      if (sevBytes) len += 1 + varintLen(sevBytes) + sevBytes
      this.bodyLens[i] = bodyLen
      this.recordLens[i] = len
      scopeLogsLen += 1 + varintLen(len) + len
    }
    const resourceLogsLen = this.resource.length + 1 + varintLen(scopeLogsLen) + scopeLogsLen
    const out = Buffer.allocUnsafe(1 + varintLen(resourceLogsLen) + resourceLogsLen)
    let pos = 0
    out[pos++] = REQUEST_RESOURCE_LOGS
    pos = writeVarint(out, pos, resourceLogsLen)
    pos += this.resource.copy(out, pos)
    out[pos++] = SCOPE_LOGS
    pos = writeVarint(out, pos, scopeLogsLen)
    pos += this.scope.copy(out, pos)
    const observedNs = BigInt(Math.round(observedMs * 1000)) * 1000n
    for (let i = 0; i < n; i++) {
      const sevNumber = this.sevNumbers[i]
      const sevText = sevTexts[i]
      const bodyLen = this.bodyLens[i]
      out[pos++] = LOG_RECORD
      pos = writeVarint(out, pos, this.recordLens[i])
      if (sevNumber) {
        out[pos++] = SEVERITY_NUMBER
        pos = writeVarint(out, pos, sevNumber)
      }
      if (sevText) {
        out[pos++] = SEVERITY_TEXT
        pos = writeVarint(out, pos, this.sevBytes[i])
        pos += out.write(sevText, pos, 'utf8')
      }
      out[pos++] = BODY
      pos = writeVarint(out, pos, 1 + varintLen(bodyLen) + bodyLen)
      out[pos++] = STRING_VALUE
      pos = writeVarint(out, pos, bodyLen)
      pos += out.write(texts[i], pos, 'utf8')
      pos += attrs.copy(out, pos)
      out[pos++] = OBSERVED_TIME
      pos = out.writeBigUInt64LE(observedNs, pos)
    }
    sevTexts.length = 0
    if (pos !== out.length) throw new Error(`OTLP logs encoding wrote ${pos} of ${out.length} bytes`)
    return out
  }

  private pathAttributes(path: string): Buffer {
    let attrs = this.attributes.get(path)
    if (!attrs) {
      if (this.attributes.size >= 256) this.attributes.clear()
      attrs = Buffer.concat([
        tagged(ATTRIBUTE, keyValue('log.file.path', path)),
        tagged(ATTRIBUTE, keyValue('log.file.name', basename(path))),
      ])
      this.attributes.set(path, attrs)
    }
    return attrs
  }
}

const utf8 = (s: string) => Buffer.from(s, 'utf8')

/** KeyValue { key = 1; AnyValue value = 2 } */
function keyValue(key: string, value: Scalar): Buffer {
  return Buffer.concat([field(1, utf8(key)), field(2, anyValue(value))])
}

/** AnyValue: string_value 1, bool_value 2, int_value 3, double_value 4 (as the SDK maps them). */
function anyValue(value: Scalar): Buffer {
  if (typeof value === 'string') return field(1, utf8(value))
  if (typeof value === 'boolean') return Buffer.from([0x10, value ? 1 : 0])
  if (Number.isInteger(value)) {
    const out = Buffer.alloc(11)
    out[0] = 0x18
    let v = BigInt.asUintN(64, BigInt(value))
    let pos = 1
    while (v >= 0x80n) {
      out[pos++] = Number(v & 0x7fn) | 0x80
      v >>= 7n
    }
    out[pos++] = Number(v)
    return out.subarray(0, pos)
  }
  const out = Buffer.alloc(9)
  out[0] = 0x21
  out.writeDoubleLE(value, 1)
  return out
}

/** A length-delimited field `no` holding `payload`. */
function field(no: number, payload: Buffer): Buffer {
  return tagged((no << 3) | 2, payload)
}

function tagged(tag: number, payload: Buffer): Buffer {
  const head = Buffer.allocUnsafe(1 + varintLen(payload.length))
  head[0] = tag
  writeVarint(head, 1, payload.length)
  return Buffer.concat([head, payload])
}

function varintLen(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5
}

/** Writes non-negative `n` (< 2^31) as a varint at `pos`; the position after it. */
function writeVarint(buf: Buffer, pos: number, n: number): number {
  while (n >= 0x80) {
    buf[pos++] = (n & 0x7f) | 0x80
    n >>>= 7
  }
  buf[pos++] = n
  return pos
}
