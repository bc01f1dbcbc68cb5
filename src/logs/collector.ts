/**
 * LogCollector: follows the files the globs name, turns their new lines into OTLP log records
 * and pushes them to the buffer, one batch per file at a time, each with the file's cursor in
 * the same disk transaction — so after a restart (even after SIGKILL) reading resumes exactly
 * after the last record that reached the buffer.
 *
 * Poll-based on purpose (fs.watch misses events on NFS and differs per platform). Each poll:
 * re-glob (new files are followed from their beginning), check each followed path's identity
 * (another inode: rotated by rename; smaller, or a different head: truncated), read rotated
 * files to their end, then the current ones.
 *
 * Decisions (see also records.ts):
 *   - A file rotated away (renamed, deleted) stays open and is read until a poll after the
 *     rotation finds nothing new; then what it held — a last line without a newline, an open
 *     multi-line record — is emitted and it is closed. Writers still writing to the old file
 *     for a moment lose nothing.
 *   - A partial last line (no newline yet) is held until its newline arrives or the file is
 *     rotated away or truncated; it is not emitted at stop (the cursor stays before it, so
 *     after a restart it is read whole).
 *   - An open multi-line record is emitted when a poll finds no new bytes in its file (so a
 *     last stack trace waits at most about one poll interval), and at stop.
 */
import { readdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { Logger } from 'pino'
import { glob } from 'tinyglobby'
import { FileTail, isPathCursor, type FileCursor, type PathCursor } from './file'
import { LogEncoder } from './otlp'
import { FileRegistry, statFile } from './registry'
import type { LogCollectorOptions, LogCollectorStats } from './types'

const CHUNK_BYTES = 64 * 1024
/** Text per batch: keeps requests under the 4 MiB a collector's gRPC receiver accepts by default. */
const MAX_BATCH_TEXT_BYTES = 1024 * 1024
/** Batches per file per poll before the others get their turn (the next poll then runs at once). */
const MAX_BATCHES_PER_FILE_POLL = 8

interface PathGroup {
  path: string
  /** The file the path names now. */
  active?: FileTail
  /** Files the path named before (rotated away), still being read, oldest first. */
  draining: FileTail[]
}

interface Pending {
  texts: string[]
  ends: number[]
  bytes: number
}

export class LogCollector {
  private readonly groups = new Map<string, PathGroup>()
  private readonly files: FileRegistry
  private readonly retiredAt = new WeakMap<FileTail, number>()
  private readonly chunk = Buffer.allocUnsafe(CHUNK_BYTES)
  private readonly encoder: LogEncoder
  private readonly include: RegExp[]
  private readonly exclude: RegExp[]
  private readonly maxBatch: number
  private readonly log: Logger
  private readonly now: () => number
  private readonly warned = new Set<string>()
  private readonly counters = {
    linesRead: 0,
    recordsBuffered: 0,
    bytesRead: 0,
    truncatedLines: 0,
    rotations: 0,
    errors: 0,
  }
  private polls = 0
  private backlog = false
  private running: Promise<void> = Promise.resolve()
  private timer: NodeJS.Timeout | undefined
  private started = false
  private stopping = false

  constructor(private readonly opts: LogCollectorOptions) {
    this.encoder = new LogEncoder(opts.resource)
    this.include = (opts.includePatterns ?? []).map((p) => new RegExp(p))
    this.exclude = (opts.excludePatterns ?? []).map((p) => new RegExp(p))
    this.maxBatch = Math.max(1, opts.maxBatchRecords ?? 1000)
    this.log = opts.logger.child({ component: 'logs' })
    this.now = opts.now ?? Date.now
    this.files = new FileRegistry({
      maxLineBytes: Math.max(1, opts.maxLineBytes),
      multilineStart: opts.multilineStartPattern ? new RegExp(opts.multilineStartPattern) : undefined,
      onTruncated: () => this.counters.truncatedLines++,
      onLine: () => this.counters.linesRead++,
    })
  }

  /** Polls now and then every pollIntervalMs (at once again while files have a backlog). */
  start(): void {
    if (this.started) return
    this.started = true
    this.stopping = false
    this.schedule(0)
  }

  /** Finishes the current read, emits open multi-line records, and closes every file. */
  async stop(): Promise<void> {
    this.stopping = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    this.started = false
    await this.serial(() => this.finish())
  }

  /** One pass: discover files, read what is new, push it. Never rejects. */
  poll(): Promise<void> {
    return this.serial(() => this.pollOnce())
  }

  stats(): LogCollectorStats {
    return { files: this.files.size, ...this.counters }
  }

  private serial(task: () => Promise<void>): Promise<void> {
    const run = this.running.then(task, task)
    this.running = run.catch(() => undefined)
    return run
  }

  private schedule(delay: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined
      void this.poll().finally(() => {
        if (this.started && !this.stopping) this.schedule(this.backlog ? 0 : this.opts.pollIntervalMs)
      })
    }, delay)
  }

  private async pollOnce(): Promise<void> {
    if (this.stopping && !this.started) return
    this.polls++
    this.backlog = false
    let matched: Set<string>
    try {
      matched = new Set(await glob(this.opts.paths, { absolute: true, onlyFiles: true, dot: true }))
    } catch (err) {
      this.problem('glob', err, 'could not expand the log path globs')
      return
    }
    // Paths with a stored cursor first: they claim their rotated files before a glob that also
    // matches the rotated names can treat those as new.
    const fresh = [...matched].filter((p) => !this.groups.has(p))
    fresh.sort(
      (a, b) =>
        Number(this.opts.buffer.getCursor(b) !== undefined) -
        Number(this.opts.buffer.getCursor(a) !== undefined),
    )
    for (const path of fresh) await this.guard(path, () => this.follow(path))
    for (const group of [...this.groups.values()]) {
      await this.guard(group.path, () => this.pollGroup(group, matched.has(group.path)))
      if (!group.active && !group.draining.length) this.groups.delete(group.path)
    }
  }

  /** Starts following a path seen for the first time. */
  private async follow(path: string): Promise<void> {
    const st = await statFile(path)
    if (!st || this.files.isOpen(st)) return
    const stored = this.opts.buffer.getCursor(path)
    const cursor: PathCursor | undefined = isPathCursor(stored) ? stored : undefined
    const group: PathGroup = { path, draining: [] }
    this.groups.set(path, group)
    let resume: FileCursor | undefined
    for (const entry of cursor?.files ?? []) {
      if (entry.dev === st.dev && entry.ino === st.ino) resume = entry
      else if (!this.files.isOpen(entry) && !this.files.isFinished(entry))
        await this.reclaimRotated(group, entry)
    }
    const tail = await this.files.openTail(path, st)
    if (!tail) return
    let offset = 0
    if (resume) offset = st.size >= resume.offset && (await tail.matches(resume)) ? resume.offset : 0
    else if (!cursor && this.polls === 1 && this.opts.startAt === 'end') offset = st.size
    else offset = await this.files.finishedOffset(tail)
    tail.seek(offset)
    tail.lastSize = st.size
    group.active = tail
  }

  /** After a restart: a file the cursor says was rotated away is looked for beside the path. */
  private async reclaimRotated(group: PathGroup, entry: FileCursor): Promise<void> {
    const dir = dirname(group.path)
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const st = await statFile(join(dir, name))
      if (!st || st.dev !== entry.dev || st.ino !== entry.ino) continue
      const tail = await this.files.openTail(join(dir, name), st)
      if (!tail) return
      if (st.size >= entry.offset && (await tail.matches(entry))) {
        tail.seek(entry.offset)
        this.retire(group, tail, false)
        return
      }
      await this.files.discard(tail)
      return
    }
    // Usually it was read to its end and then removed by the rotation; if it still had lines
    // past the stored offset when it went, they are gone.
    this.log.info(
      { path: group.path, ino: entry.ino, offset: entry.offset },
      `log file ${group.path}: the file it named before (rotated away) is no longer there; reading goes on with the current one`,
    )
  }

  private async pollGroup(group: PathGroup, matched: boolean): Promise<void> {
    const carry: Pending = { texts: [], ends: [], bytes: 0 }
    const st = matched ? await statFile(group.path) : undefined
    const active = group.active
    if (active && (!st || st.dev !== active.dev || st.ino !== active.ino)) {
      this.retire(group, active, true)
    } else if (active && st) {
      const shrank = st.size < active.readPos
      if (shrank || (st.size !== active.lastSize && !(await active.sameContent()))) {
        // Truncated (copytruncate) or truncated and written again: what was held is final.
        this.counters.rotations++
        this.log.info({ path: group.path }, `log file ${group.path} was truncated; reading it from the start`)
        active.reader.flushAll((text) => this.keep(carry, text, 0))
        active.seek(0)
        await active.takeFingerprint()
      }
      active.lastSize = st.size
    }
    if (!group.active && st && !this.files.isOpen(st)) {
      const tail = await this.files.openTail(group.path, st)
      if (tail) {
        tail.seek(await this.files.finishedOffset(tail))
        tail.lastSize = st.size
        group.active = tail
      }
    }
    for (const old of [...group.draining]) {
      if (this.stopping) return
      const got = await this.readTail(group, old, { texts: [], ends: [], bytes: 0 })
      if (got === 0 && this.polls > (this.retiredAt.get(old) ?? 0)) await this.close(group, old)
    }
    if (group.active && !this.stopping) await this.readTail(group, group.active, carry)
  }

  /** Reads a file from its read position to its end (or a fair share of it); the byte count. */
  private async readTail(group: PathGroup, tail: FileTail, batch: Pending): Promise<number> {
    const emit = (text: string, end: number) => this.keep(batch, text, end)
    let got = 0
    let pushed = 0
    try {
      for (;;) {
        const n = await tail.read(this.chunk)
        if (n === 0) break
        got += n
        this.counters.bytesRead += n
        tail.reader.feed(this.chunk.subarray(0, n), emit)
        tail.readPos += n
        while (batch.texts.length >= this.maxBatch || batch.bytes >= MAX_BATCH_TEXT_BYTES) {
          const take = Math.min(this.maxBatch, batch.texts.length)
          await this.push(group, tail, batch.texts.splice(0, take), batch.ends.splice(0, take)[take - 1])
          batch.bytes = batch.texts.reduce((sum, t) => sum + t.length, 0)
          pushed++
        }
        if (this.stopping) break
        if (pushed >= MAX_BATCHES_PER_FILE_POLL) {
          this.backlog = true
          break
        }
      }
      if (!got && tail.reader.hasOpenRecord) tail.reader.flushRecord(emit)
      if (batch.texts.length) await this.push(group, tail, batch.texts, tail.reader.safeOffset())
    } catch (err) {
      // Nothing read since the last push is lost: read it again next poll.
      tail.seek(tail.committed)
      this.problem(group.path, err, `could not read or buffer log file ${group.path}`)
    }
    return got
  }

  private keep(batch: Pending, text: string, end: number): void {
    if (this.include.length && !this.include.some((re) => re.test(text))) return
    if (this.exclude.some((re) => re.test(text))) return
    batch.texts.push(text)
    batch.ends.push(end)
    batch.bytes += text.length
  }

  /** Pushes records of `tail` with the path's cursor, `tail` advanced to `offset`. */
  private async push(group: PathGroup, tail: FileTail, texts: string[], offset: number): Promise<void> {
    const body = this.encoder.encode(group.path, texts, this.now())
    const files = [...group.draining, ...(group.active ? [group.active] : [])]
    if (!files.includes(tail)) files.push(tail)
    const value: PathCursor = { v: 1, files: files.map((f) => (f === tail ? f.cursor(offset) : f.cursor())) }
    await this.opts.buffer.push(
      { signal: 'logs', body, dataPoints: texts.length },
      { cursor: { key: group.path, value } },
    )
    tail.committed = offset
    this.counters.recordsBuffered += texts.length
  }

  /** The path names another file now (or none): keep reading the old one until it is quiet. */
  private retire(group: PathGroup, tail: FileTail, counted: boolean): void {
    if (group.active === tail) group.active = undefined
    group.draining.push(tail)
    this.retiredAt.set(tail, this.polls)
    if (counted) {
      this.counters.rotations++
      this.log.info(
        { path: group.path },
        `log file ${group.path} was rotated; reading the old file to its end`,
      )
    }
  }

  /** A rotated file was quiet for a poll: emit what it held and close it. */
  private async close(group: PathGroup, tail: FileTail): Promise<void> {
    const batch: Pending = { texts: [], ends: [], bytes: 0 }
    tail.reader.flushAll((text, end) => this.keep(batch, text, end))
    const end = tail.reader.safeOffset()
    if (batch.texts.length) await this.push(group, tail, batch.texts, end)
    group.draining = group.draining.filter((t) => t !== tail)
    await this.files.close(tail, end)
  }

  private async finish(): Promise<void> {
    for (const group of this.groups.values()) {
      for (const tail of [...group.draining, ...(group.active ? [group.active] : [])]) {
        const batch: Pending = { texts: [], ends: [], bytes: 0 }
        tail.reader.flushRecord((text, end) => this.keep(batch, text, end))
        if (batch.texts.length) {
          await this.push(group, tail, batch.texts, tail.reader.safeOffset()).catch((err) =>
            this.problem(group.path, err, `could not buffer the last records of ${group.path}`),
          )
        }
      }
    }
    await this.files.closeAll()
    this.groups.clear()
  }

  private async guard(path: string, task: () => Promise<void>): Promise<void> {
    try {
      await task()
    } catch (err) {
      this.problem(path, err, `could not follow log file ${path}`)
    }
  }

  /** Counts and logs an error: a warning the first time for a path and code, debug after. */
  private problem(path: string, err: unknown, message: string): void {
    this.counters.errors++
    const code = (err as NodeJS.ErrnoException)?.code ?? 'error'
    const once = !this.warned.has(`${path}\0${code}`)
    this.warned.add(`${path}\0${code}`)
    this.log[once ? 'warn' : 'debug']({ err, path }, message)
  }
}
