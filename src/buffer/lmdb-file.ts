/**
 * A pre-flight check of an LMDB data file, done with plain reads before LMDB maps it.
 *
 * Why: LMDB trusts its file. A garbled meta page makes `mdb_env_open` crash the process
 * (SIGSEGV), and a file shorter than its meta page says makes the first page access raise
 * SIGBUS. Neither can be caught in JavaScript, so a corrupt store would become a crash loop.
 * Reading the two meta pages ourselves turns those cases into an ordinary "move it aside".
 *
 * Layout (64-bit LMDB 1.x as vendored by lmdb-js): a 24-byte page header, then MDB_meta:
 * magic u32 @24, version u32 @28, address @32, mapsize @40, dbs[0] (free DB, whose md_pad is
 * the page size) @48, dbs[1] @96, last_pg u64 @144, txnid u64 @152.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs'

const MAGIC = 0xbeefc0de
const DATA_VERSION = 2
const OFF_MAGIC = 24
const OFF_VERSION = 28
const OFF_PAGE_SIZE = 48
const OFF_LAST_PAGE = 144
const MAX_PAGE_SIZE = 65536

/** Returns why the data file at `file` cannot be trusted, or undefined if it looks sound, is empty or is absent. */
export function inspectDataFile(file: string): string | undefined {
  let size: number
  try {
    const st = statSync(file)
    if (!st.isFile()) return `${file} is not a regular file`
    size = st.size
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    return `cannot read ${file}: ${(err as Error).message}`
  }
  // Empty: a store LMDB has not written yet (on Windows the lock creates the file first).
  if (size === 0) return undefined

  const head = Buffer.alloc(Math.min(size, 2 * MAX_PAGE_SIZE))
  const fd = openSync(file, 'r')
  try {
    readSync(fd, head, 0, head.length, 0)
  } finally {
    closeSync(fd)
  }
  if (head.length < OFF_LAST_PAGE + 16)
    return `${file} is truncated (${size} bytes, shorter than a meta page)`

  const pageSize = head.readUInt32LE(OFF_PAGE_SIZE)
  if (pageSize < 512 || pageSize > MAX_PAGE_SIZE || (pageSize & (pageSize - 1)) !== 0) {
    return `${file} has no valid LMDB header (page size field ${pageSize})`
  }
  if (size < 2 * pageSize) return `${file} is truncated (${size} bytes, shorter than its two meta pages)`

  let lastPage = 0n
  for (const base of [0, pageSize]) {
    const magic = head.readUInt32LE(base + OFF_MAGIC)
    if (magic !== MAGIC) return `${file} has no valid LMDB header (bad magic in meta page ${base / pageSize})`
    const version = head.readUInt32LE(base + OFF_VERSION)
    if (version !== DATA_VERSION) return `${file} is LMDB format version ${version}, expected ${DATA_VERSION}`
    const last = head.readBigUInt64LE(base + OFF_LAST_PAGE)
    if (last > lastPage) lastPage = last
  }
  const needed = (lastPage + 1n) * BigInt(pageSize)
  if (BigInt(size) < needed) return `${file} is truncated (${size} bytes, its header needs ${needed})`
  return undefined
}
