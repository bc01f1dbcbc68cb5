/**
 * One followed path and the files it stands for: the file it names now, and the files it
 * named before (rotated away) that are still being read. Its stored cursor lists all of them,
 * draining files first, so a restart finds the rotated remainders too.
 */
import type { FileTail, PathCursor } from './file'

export class PathGroup {
  /** The file the path names now. */
  active: FileTail | undefined
  /** Files the path named before (rotated away), still being read, oldest first. */
  draining: FileTail[] = []
  /** The poll in which each draining file was rotated away. */
  private readonly retiredAt = new WeakMap<FileTail, number>()

  constructor(readonly path: string) {}

  /** Draining files, then the active one. */
  files(): FileTail[] {
    return this.active ? [...this.draining, this.active] : [...this.draining]
  }

  get empty(): boolean {
    return !this.active && !this.draining.length
  }

  /** The path names another file now (or none): `tail` is read on until it is quiet. */
  retire(tail: FileTail, poll: number): void {
    if (this.active === tail) this.active = undefined
    this.draining.push(tail)
    this.retiredAt.set(tail, poll)
  }

  /** Whether `tail` was rotated away before poll `poll`. */
  retiredBefore(tail: FileTail, poll: number): boolean {
    return poll > (this.retiredAt.get(tail) ?? 0)
  }

  drop(tail: FileTail): void {
    this.draining = this.draining.filter((t) => t !== tail)
    if (this.active === tail) this.active = undefined
  }

  /**
   * The cursor to store: every file at its committed offset, `tail` (kept in it even when it
   * has just left the group) at `offset`.
   */
  cursor(tail?: FileTail, offset?: number): PathCursor {
    const files = this.files()
    if (tail && !files.includes(tail)) files.push(tail)
    return { v: 1, files: files.map((f) => (f === tail ? f.cursor(offset) : f.cursor())) }
  }
}
