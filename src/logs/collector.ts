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
 *   - The cursor also moves without a batch (a cursor-only write) when every record read was
 *     filtered out, and when a path is first followed at a position a restart would not find
 *     on its own (`start_at: end`). The cursor of a path whose file is gone is deleted once no
 *     rotated remainder of it is left to read — after a restart too.
 */
import type { Logger } from 'pino'
import { glob } from 'tinyglobby'
import { Batch, RecordFilter } from './batch'
import { isPathCursor, type FileCursor, type FileTail } from './file'
import { PathGroup } from './group'
import { LogEncoder } from './otlp'
import { FileRegistry, statFile } from './registry'
import type { LogCollectorOptions, LogCollectorStats } from './types'

const CHUNK_BYTES = 64 * 1024
/** Text per batch: keeps requests under the 4 MiB a collector's gRPC receiver accepts by default. */
const MAX_BATCH_TEXT_CHARS = 1024 * 1024
/** Batches per file per poll before the others get their turn (the next poll then runs at once). */
const MAX_BATCHES_PER_FILE_POLL = 8

export class LogCollector {
  private readonly groups = new Map<string, PathGroup>()
  private readonly files: FileRegistry
  private readonly chunk = Buffer.allocUnsafe(CHUNK_BYTES)
  private readonly encoder: LogEncoder
  private readonly filter: RecordFilter
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
    backlogPauses: 0,
    errors: 0,
  }
  private polls = 0
  /** More was left to read than one poll takes: poll again at once. */
  private backlog = false
  private pausedThisPoll = false
  private running: Promise<void> = Promise.resolve()
  private timer: NodeJS.Timeout | undefined
  private started = false
  private stopping = false

  constructor(private readonly opts: LogCollectorOptions) {
    this.encoder = new LogEncoder(opts.resource)
    this.filter = new RecordFilter(opts.includePatterns, opts.excludePatterns)
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

  /** Every file followed, with the offset delivered to the buffer (draining rotated files first). */
  positions(): Array<{ path: string; offset: number; sizeBytes: number; rotated: boolean }> {
    return [...this.groups.values()].flatMap((g) =>
      g
        .files()
        .map((f) => ({ path: g.path, offset: f.committed, sizeBytes: f.lastSize, rotated: f !== g.active })),
    )
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
    this.pausedThisPoll = false
    let matched: Set<string>
    try {
      matched = new Set(await glob(this.opts.paths, { absolute: true, onlyFiles: true, dot: true }))
    } catch (err) {
      this.problem('glob', err, 'could not expand the log path globs')
      return
    }
    if (this.polls === 1) await this.sweep(matched)
    // Paths with a stored cursor first: they claim their rotated files before a glob that also
    // matches the rotated names can treat those as new.
    const stored = (p: string) => Number(this.opts.buffer.getCursor(p) !== undefined)
    const fresh = [...matched].filter((p) => !this.groups.has(p))
    fresh.sort((a, b) => stored(b) - stored(a))
    for (const path of fresh) await this.guard(path, () => this.follow(path))
    for (const group of [...this.groups.values()]) {
      await this.guard(group.path, () => this.pollGroup(group, matched.has(group.path)))
      if (!group.empty) continue
      this.groups.delete(group.path)
      await this.guard(group.path, () => this.opts.buffer.deleteCursor(group.path))
    }
  }

  /**
   * At the first poll: stored cursors of paths that name no file any more. A rotated file they
   * still list with unread lines is drained (then the cursor goes with its group); otherwise
   * the cursor is deleted now.
   */
  private async sweep(matched: Set<string>): Promise<void> {
    for (const { key: path, value } of this.opts.buffer.cursors()) {
      if (matched.has(path)) continue
      await this.guard(path, async () => {
        if (await statFile(path)) return // there, but not matched by the globs (any more)
        const group = new PathGroup(path)
        for (const entry of isPathCursor(value) ? value.files : []) await this.reclaimRotated(group, entry)
        if (!group.empty) this.groups.set(path, group)
        else await this.opts.buffer.deleteCursor(path)
      })
    }
  }

  /** Starts following a path seen for the first time. */
  private async follow(path: string): Promise<void> {
    const st = await statFile(path)
    if (!st || this.files.isOpen(st)) return
    const stored = this.opts.buffer.getCursor(path)
    const cursor = isPathCursor(stored) ? stored : undefined
    const group = new PathGroup(path)
    this.groups.set(path, group)
    let resume: FileCursor | undefined
    for (const entry of cursor?.files ?? []) {
      if (entry.dev === st.dev && entry.ino === st.ino) resume = entry
      else if (!(await this.reclaimRotated(group, entry)))
        // Usually it was read to its end and then removed by the rotation; if it still had
        // lines past the stored offset when it went, they are gone.
        this.log.info(
          { path, ino: entry.ino, offset: entry.offset },
          `log file ${path}: the file it named before (rotated away) is no longer there; reading goes on with the current one`,
        )
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
    // A restart without a cursor would start elsewhere (at the end, or at 0): store it now.
    if (!cursor && (offset > 0 || this.opts.startAt === 'end'))
      await this.opts.buffer.setCursor(path, group.cursor())
  }

  /** A file the cursor lists as rotated away joins the group if it is there; false if it is gone. */
  private async reclaimRotated(group: PathGroup, entry: FileCursor): Promise<boolean> {
    if (this.files.isOpen(entry) || this.files.isFinished(entry)) return true
    const tail = await this.files.openRotated(group.path, entry)
    if (tail) group.retire(tail, this.polls)
    return tail !== undefined
  }

  private async pollGroup(group: PathGroup, matched: boolean): Promise<void> {
    const carry = this.filter.batch()
    const st = matched ? await statFile(group.path) : undefined
    const active = group.active
    if (active && (!st || st.dev !== active.dev || st.ino !== active.ino)) {
      group.retire(active, this.polls)
      this.counters.rotations++
      this.log.info(
        { path: group.path },
        `log file ${group.path} was rotated; reading the old file to its end`,
      )
    } else if (active && st) {
      const shrank = st.size < active.readPos
      if (shrank || (st.size !== active.lastSize && !(await active.sameContent()))) {
        // Truncated (copytruncate) or truncated and written again: what was held is final.
        this.counters.rotations++
        this.log.info({ path: group.path }, `log file ${group.path} was truncated; reading it from the start`)
        active.reader.flushAll((text) => carry.add(text, 0))
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
      const got = await this.readTail(group, old, this.filter.batch())
      // Paused by the backlog, "nothing new" says nothing about the file's end.
      if (got === 0 && !this.pausedThisPoll && group.retiredBefore(old, this.polls))
        await this.close(group, old)
    }
    if (group.active && !this.stopping) await this.readTail(group, group.active, carry)
  }

  /** Reads a file from its read position to its end (or a fair share of it); the byte count. */
  private async readTail(group: PathGroup, tail: FileTail, batch: Batch): Promise<number> {
    const emit = (text: string, end: number) => batch.add(text, end)
    let got = 0
    let pushed = 0
    try {
      for (;;) {
        if (this.overBacklog()) break
        const n = await tail.read(this.chunk)
        if (n === 0) break
        got += n
        this.counters.bytesRead += n
        tail.reader.feed(this.chunk.subarray(0, n), emit)
        tail.readPos += n
        while (batch.full(this.maxBatch, MAX_BATCH_TEXT_CHARS)) {
          const { texts, end } = batch.take(this.maxBatch)
          await this.push(group, tail, texts, end)
          pushed++
        }
        if (this.stopping) break
        if (pushed >= MAX_BATCHES_PER_FILE_POLL) {
          this.backlog = !this.pausedThisPoll
          break
        }
      }
      if (!got && !this.pausedThisPoll) tail.reader.flushRecord(emit)
      await this.commit(group, tail, batch, tail.reader.safeOffset())
    } catch (err) {
      // Nothing read since the last push is lost: read it again next poll.
      tail.seek(tail.committed)
      this.problem(group.path, err, `could not read or buffer log file ${group.path}`)
    }
    return got
  }

  /** Whether the buffer's unsent data is over the backlog limit (counted once per poll). */
  private overBacklog(): boolean {
    const limit = this.opts.backlog
    if (!limit || limit.waitingBytes() <= limit.maxBytes) return false
    if (!this.pausedThisPoll) this.counters.backlogPauses++
    this.pausedThisPoll = true
    this.backlog = false // wait a poll interval for the export to drain it
    return true
  }

  /**
   * `tail` is read up to `offset`: pushes what `batch` holds with the cursor, or — when the
   * filter left nothing — moves the cursor alone, so a restart does not read those lines again.
   */
  private async commit(group: PathGroup, tail: FileTail, batch: Batch, offset: number): Promise<void> {
    if (batch.size) return this.push(group, tail, batch.take(batch.size).texts, offset)
    if (offset === tail.committed) return
    await this.opts.buffer.setCursor(group.path, group.cursor(tail, offset))
    tail.committed = offset
  }

  /** Pushes records of `tail` with the path's cursor, `tail` advanced to `offset`. */
  private async push(group: PathGroup, tail: FileTail, texts: string[], offset: number): Promise<void> {
    const body = this.encoder.encode(group.path, texts, this.now())
    await this.opts.buffer.push(
      { signal: 'logs', body, dataPoints: texts.length },
      { cursor: { key: group.path, value: group.cursor(tail, offset) } },
    )
    tail.committed = offset
    this.counters.recordsBuffered += texts.length
  }

  /** A rotated file was quiet for a poll: emit what it held, close it, drop it from the cursor. */
  private async close(group: PathGroup, tail: FileTail): Promise<void> {
    const batch = this.filter.batch()
    tail.reader.flushAll((text, end) => batch.add(text, end))
    const end = tail.reader.safeOffset()
    await this.commit(group, tail, batch, end)
    group.drop(tail)
    await this.files.close(tail, end)
    // An empty group's cursor is deleted by the poll.
    if (!group.empty) await this.opts.buffer.setCursor(group.path, group.cursor())
  }

  private async finish(): Promise<void> {
    for (const group of this.groups.values()) {
      for (const tail of group.files()) {
        const batch = this.filter.batch()
        tail.reader.flushRecord((text, end) => batch.add(text, end))
        await this.commit(group, tail, batch, tail.reader.safeOffset()).catch((err) =>
          this.problem(group.path, err, `could not buffer the last records of ${group.path}`),
        )
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
