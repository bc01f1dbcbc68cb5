/**
 * One open log file: its identity, where reading stands, and the RecordReader its bytes go
 * through. A file is known by (device, inode) plus a fingerprint — a hash of its first bytes
 * (up to 1 KiB) — so an inode the filesystem reused for a different file, or a file truncated
 * and written again, is not mistaken for the one we were reading.
 */
import { createHash } from 'node:crypto'
import { open, type FileHandle } from 'node:fs/promises'
import type { Stats } from 'node:fs'
import { RecordReader, type RecordReaderOptions } from './records'

/** Bytes of the head of a file that its fingerprint covers (fewer while the file is shorter). */
export const FINGERPRINT_BYTES = 1024

/** Where reading of one file stands, as stored in the buffer's cursor. */
export interface FileCursor {
  dev: number
  ino: number
  /** First byte not yet in a buffered record. */
  offset: number
  /** Hex SHA-1 of the first `fingerprintBytes` bytes. */
  fingerprint: string
  fingerprintBytes: number
}

/** The stored cursor of one path: the file at the path last, after any still being drained. */
export interface PathCursor {
  v: 1
  files: FileCursor[]
}

export function idKey(dev: number, ino: number): string {
  return `${dev}:${ino}`
}

export function isPathCursor(value: unknown): value is PathCursor {
  if (!value || typeof value !== 'object') return false
  const files = (value as PathCursor).files
  return (
    (value as PathCursor).v === 1 &&
    Array.isArray(files) &&
    files.every(
      (f) =>
        f &&
        typeof f.dev === 'number' &&
        typeof f.ino === 'number' &&
        typeof f.offset === 'number' &&
        typeof f.fingerprint === 'string' &&
        typeof f.fingerprintBytes === 'number',
    )
  )
}

export class FileTail {
  /** Where the head is read for hashing: one per tail, so no two reads in flight share it. */
  readonly #head = Buffer.allocUnsafe(FINGERPRINT_BYTES)
  /** File offset of the next read. */
  readPos: number
  /** Offset stored with the last batch pushed (the cursor's offset). */
  committed: number
  fingerprint = ''
  fingerprintBytes = 0
  /** The size seen at the last identity check. */
  lastSize = -1
  readonly reader: RecordReader

  private constructor(
    private readonly fd: FileHandle,
    readonly dev: number,
    readonly ino: number,
    offset: number,
    readerOptions: RecordReaderOptions,
  ) {
    this.readPos = offset
    this.committed = offset
    this.reader = new RecordReader(readerOptions, offset)
  }

  /** Opens `path` (expected to be the file `st` describes); undefined if it changed meanwhile. */
  static async open(
    path: string,
    st: Stats,
    readerOptions: RecordReaderOptions,
  ): Promise<FileTail | undefined> {
    const fd = await open(path, 'r')
    try {
      const now = await fd.stat()
      if (now.dev !== st.dev || now.ino !== st.ino) {
        await fd.close()
        return undefined
      }
      const tail = new FileTail(fd, now.dev, now.ino, 0, readerOptions)
      await tail.takeFingerprint()
      return tail
    } catch (err) {
      await fd.close().catch(() => undefined)
      throw err
    }
  }

  get key(): string {
    return idKey(this.dev, this.ino)
  }

  cursor(offset = this.committed): FileCursor {
    return {
      dev: this.dev,
      ino: this.ino,
      offset,
      fingerprint: this.fingerprint,
      fingerprintBytes: this.fingerprintBytes,
    }
  }

  /** Continues at `offset` (resume, rewind or truncation): forgets held bytes. */
  seek(offset: number): void {
    this.readPos = offset
    this.committed = offset
    this.reader.reset(offset)
  }

  /** Reads up to `buf.length` bytes at the read position; the count read (0 at EOF). */
  async read(buf: Buffer): Promise<number> {
    const { bytesRead } = await this.fd.read(buf, 0, buf.length, this.readPos)
    return bytesRead
  }

  /** Hashes the first bytes as they are now. */
  async takeFingerprint(): Promise<void> {
    const n = await this.readHead()
    this.fingerprint = sha1(this.#head, n)
    this.fingerprintBytes = n
  }

  /**
   * Whether the head of the file still matches the fingerprint (so this is the same content,
   * not a truncated and rewritten file). A matching fingerprint shorter than 1 KiB is extended
   * to cover what the file holds now.
   */
  async sameContent(): Promise<boolean> {
    const n = await this.readHead()
    if (n < this.fingerprintBytes || sha1(this.#head, this.fingerprintBytes) !== this.fingerprint)
      return false
    if (n > this.fingerprintBytes) {
      this.fingerprint = sha1(this.#head, n)
      this.fingerprintBytes = n
    }
    return true
  }

  /** Whether the file's head matches a stored cursor's fingerprint. */
  async matches(cursor: FileCursor): Promise<boolean> {
    const n = await this.readHead()
    return n >= cursor.fingerprintBytes && sha1(this.#head, cursor.fingerprintBytes) === cursor.fingerprint
  }

  async close(): Promise<void> {
    await this.fd.close().catch(() => undefined)
  }

  private async readHead(): Promise<number> {
    const { bytesRead } = await this.fd.read(this.#head, 0, FINGERPRINT_BYTES, 0)
    return bytesRead
  }
}

function sha1(buf: Buffer, n: number): string {
  return createHash('sha1').update(buf.subarray(0, n)).digest('hex')
}
