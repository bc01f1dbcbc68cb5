/**
 * Bytes of one file, fed in order, become records: lines split on `\n` (a trailing `\r` is
 * stripped), each cut to `maxLineBytes` at a UTF-8 character boundary, decoded with U+FFFD for
 * invalid bytes, and — with a multi-line start pattern — joined into records (a line that does
 * not match the pattern belongs to the record before it, as stack-trace lines do).
 *
 * It also answers the one question the cursor needs: `safeOffset()`, the file offset before
 * which every byte is in a record already emitted (or in a line dropped as empty). Bytes after
 * it — a partial last line, a multi-line record still open — are read again after a restart.
 */

export interface RecordReaderOptions {
  maxLineBytes: number
  /** Joins lines into records: a line matching it starts a new record. */
  multilineStart?: RegExp
  /** Called for each line or record that was cut to maxLineBytes. */
  onTruncated: () => void
  /** Called for each complete line seen. */
  onLine: () => void
}

/** Receives a record's text and the file offset just past its last byte. */
export type EmitRecord = (text: string, end: number) => void

const NL = 0x0a
const CR = 0x0d

export class RecordReader {
  /** The file offset just past the last byte fed. */
  private pos: number
  /** A line seen without its newline yet: its first `partialLen` bytes (at most maxLineBytes). */
  private partial: Buffer | undefined
  private partialLen = 0
  private partialStart = -1
  private partialCut = false
  /** The multi-line record still open (only with a start pattern). */
  private record: string[] = []
  private recordBytes = 0
  private recordStart = -1
  private recordEnd = -1
  private recordCut = false

  constructor(
    private readonly opts: RecordReaderOptions,
    offset: number,
  ) {
    this.pos = offset
  }

  /** The first file offset whose bytes are not yet in an emitted record. */
  safeOffset(): number {
    if (this.recordStart >= 0) return this.recordStart
    if (this.partialStart >= 0) return this.partialStart
    return this.pos
  }

  /** Forgets everything held and continues at `offset` (a rewind, or a truncated file). */
  reset(offset: number): void {
    this.pos = offset
    this.partialLen = 0
    this.partialStart = -1
    this.partialCut = false
    this.clearRecord()
  }

  /** Feeds `chunk`, the bytes at the reader's position; the chunk is not kept after the call. */
  feed(chunk: Buffer, emit: EmitRecord): void {
    const base = this.pos
    let start = 0
    while (start < chunk.length) {
      const nl = chunk.indexOf(NL, start)
      if (nl < 0) {
        this.hold(chunk, start, chunk.length, base + start)
        break
      }
      if (this.partialStart >= 0) {
        this.hold(chunk, start, nl, base + start)
        this.line(this.partial!, 0, this.partialLen, this.partialStart, base + nl + 1, this.partialCut, emit)
        this.partialLen = 0
        this.partialStart = -1
        this.partialCut = false
      } else {
        this.line(chunk, start, nl, base + start, base + nl + 1, false, emit)
      }
      start = nl + 1
    }
    this.pos = base + chunk.length
  }

  /** Emits the open multi-line record (complete lines only; a partial line stays held). */
  flushRecord(emit: EmitRecord): void {
    if (this.recordStart < 0) return
    emit(this.record.length === 1 ? this.record[0] : this.record.join('\n'), this.recordEnd)
    this.clearRecord()
  }

  /** The file is done (rotated away, truncated, deleted): emit everything held. */
  flushAll(emit: EmitRecord): void {
    if (this.partialStart >= 0) {
      const start = this.partialStart
      this.partialStart = -1
      this.line(this.partial!, 0, this.partialLen, start, this.pos, this.partialCut, emit)
      this.partialLen = 0
      this.partialCut = false
    }
    this.flushRecord(emit)
  }

  /** Keeps bytes [from, to) of the line being read, up to maxLineBytes of them. */
  private hold(chunk: Buffer, from: number, to: number, offset: number): void {
    if (this.partialStart < 0) this.partialStart = offset
    const room = this.opts.maxLineBytes - this.partialLen
    if (to - from > room) this.partialCut = true
    const take = Math.min(room, to - from)
    if (take <= 0) return
    if (!this.partial) this.partial = Buffer.allocUnsafe(this.opts.maxLineBytes)
    chunk.copy(this.partial, this.partialLen, from, from + take)
    this.partialLen += take
  }

  /** One complete line: bytes [from, to) of `bytes`, which spans [start, end) of the file. */
  private line(
    bytes: Buffer,
    from: number,
    to: number,
    start: number,
    end: number,
    cut: boolean,
    emit: EmitRecord,
  ): void {
    this.opts.onLine()
    if (to > from && bytes[to - 1] === CR) to--
    const budget =
      this.recordStart >= 0 ? this.opts.maxLineBytes - this.recordBytes - 1 : this.opts.maxLineBytes
    if (to - from > this.opts.maxLineBytes) {
      to = utf8Cut(bytes, from, from + this.opts.maxLineBytes)
      cut = true
    }
    const pattern = this.opts.multilineStart
    if (!pattern) {
      if (cut) this.opts.onTruncated()
      if (to > from) emit(bytes.toString('utf8', from, to), end)
      return
    }
    const text = bytes.toString('utf8', from, to)
    if (this.recordStart < 0 && text === '') return
    if (this.recordStart < 0 || pattern.test(text)) {
      this.flushRecord(emit)
      if (cut) this.opts.onTruncated()
      this.record.push(text)
      this.recordBytes = to - from
      this.recordStart = start
      this.recordEnd = end
      return
    }
    // A continuation line: joined to the open record, which as a whole is capped too.
    this.recordEnd = end
    if (this.recordCut) return
    if (to - from > budget) {
      this.recordCut = true
      this.opts.onTruncated()
      if (budget <= 0) return
      to = utf8Cut(bytes, from, from + budget)
      this.record.push(bytes.toString('utf8', from, to))
    } else {
      if (cut) this.opts.onTruncated()
      this.record.push(text)
    }
    this.recordBytes += 1 + (to - from)
  }

  private clearRecord(): void {
    this.record = []
    this.recordBytes = 0
    this.recordStart = -1
    this.recordEnd = -1
    this.recordCut = false
  }
}

/** The largest end <= `end` that does not split a UTF-8 character starting at or after `from`. */
function utf8Cut(bytes: Buffer, from: number, end: number): number {
  let cut = end
  while (cut > from && (bytes[cut] & 0xc0) === 0x80) cut--
  return cut
}
