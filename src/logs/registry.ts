/**
 * Which files are open, by identity rather than by path, and where files already read to
 * their end stopped. A file can be reachable under two names (the glob also matches the
 * rotated name `app.log.1`); keyed by (device, inode) it is read once, and a closed file met
 * again under its new name continues where it stopped instead of starting over.
 */
import type { Stats } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { FileTail, idKey, type FileCursor } from './file'
import type { RecordReaderOptions } from './records'

/** Closed files remembered (oldest forgotten first). */
const MAX_FINISHED = 1024

export class FileRegistry {
  private readonly open = new Map<string, FileTail>()
  private readonly finished = new Map<string, FileCursor>()

  constructor(private readonly readerOptions: RecordReaderOptions) {}

  get size(): number {
    return this.open.size
  }

  isOpen(st: Pick<Stats, 'dev' | 'ino'>): boolean {
    return this.open.has(idKey(st.dev, st.ino))
  }

  /** Whether this file was read to its end and closed since start. */
  isFinished(st: Pick<Stats, 'dev' | 'ino'>): boolean {
    return this.finished.has(idKey(st.dev, st.ino))
  }

  /** Opens `path` (the file `st` describes); undefined if the path changed meanwhile. */
  async openTail(path: string, st: Stats): Promise<FileTail | undefined> {
    const tail = await FileTail.open(path, st, this.readerOptions)
    if (tail) this.open.set(tail.key, tail)
    return tail
  }

  /**
   * A file a stored cursor lists as rotated away from `path`, looked for by identity beside it
   * and opened at the cursor's offset; undefined if it is not there (or holds other content).
   */
  async openRotated(path: string, entry: FileCursor): Promise<FileTail | undefined> {
    const dir = dirname(path)
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const st = await statFile(join(dir, name))
      if (!st || st.dev !== entry.dev || st.ino !== entry.ino) continue
      const tail = await this.openTail(join(dir, name), st)
      if (!tail) return undefined
      if (st.size >= entry.offset && (await tail.matches(entry))) {
        tail.seek(entry.offset)
        return tail
      }
      await this.discard(tail)
      return undefined
    }
    return undefined
  }

  /** Where a file already read to its end (under any name) continues; 0 if it is unknown. */
  async finishedOffset(tail: FileTail): Promise<number> {
    const done = this.finished.get(tail.key)
    return done && (await tail.matches(done)) ? done.offset : 0
  }

  /** Closes a file read to `end`, remembering where it stopped. */
  async close(tail: FileTail, end: number): Promise<void> {
    this.forget(tail)
    const key = tail.key
    this.finished.delete(key)
    this.finished.set(key, tail.cursor(end))
    if (this.finished.size > MAX_FINISHED) this.finished.delete(this.finished.keys().next().value!)
    await tail.close()
  }

  /** Closes a file without remembering it (it was not the one we were looking for). */
  async discard(tail: FileTail): Promise<void> {
    this.forget(tail)
    await tail.close()
  }

  async closeAll(): Promise<void> {
    for (const tail of this.open.values()) await tail.close()
    this.open.clear()
  }

  private forget(tail: FileTail): void {
    if (this.open.get(tail.key) === tail) this.open.delete(tail.key)
  }
}

/** The regular file at `path`, or undefined if there is none. */
export async function statFile(path: string): Promise<Stats | undefined> {
  try {
    const st = await stat(path)
    return st.isFile() ? st : undefined
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}
