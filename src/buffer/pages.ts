/**
 * A read-only reader of an LMDB data file's pages, for salvage when LMDB itself cannot open
 * or walk a damaged store. It never trusts the file: every page number, offset and length is
 * checked against the bytes actually present, and a page that fails a check is skipped.
 *
 * Format (lmdb-js's bundled LMDB 0.9.90 branch, data version 2, 64-bit): every page starts
 * with a 24-byte header: page number u64 @0, txnid u64 @8, pad u16 @16, flags u16 @18, then
 * lower/upper u16 @20/@22 (or, for overflow pages, a u32 page count @20). Node offsets (u16)
 * follow the header and are relative to its end. A node: data size (leaf) or child page
 * (branch) in lo/hi u16 @0/@2 (plus flags as the top word of a page number), flags u16 @4,
 * key size u16 @6, key @8, data after the key. A big value lives in overflow pages: the node
 * holds their first page number and the bytes start after that page's header. Pages 0 and 1
 * are meta pages; a sub-database is a leaf node of the main tree whose data is an MDB_db
 * (48 bytes: entries u64 @32, root page u64 @40).
 */
const HEADER = 24
const P_BRANCH = 0x01
const P_LEAF = 0x02
const P_OVERFLOW = 0x04
const P_LEAF2 = 0x20
const F_BIGDATA = 0x01
const F_SUBDATA = 0x02
const F_DUPDATA = 0x04
const NO_PAGE = 0xffff_ffff_ffff_ffffn
const MAGIC = 0xbeefc0de

/** One meta page: a snapshot's roots. */
export interface Snapshot {
  txnid: bigint
  lastPage: number
  freeRoot?: number
  mainRoot?: number
}

/** A sub-database's record in the main tree. */
export interface SubDb {
  root?: number
  entries: number
}

export interface Record {
  key: Buffer
  value: Buffer
  /** Where it was read: its leaf page, and the overflow pages holding a big value. */
  page: number
  overflow?: { first: number; pages: number }
}

export class PageFile {
  readonly pageSize: number
  readonly pageCount: number

  private constructor(
    private readonly data: Buffer,
    pageSize: number,
  ) {
    this.pageSize = pageSize
    this.pageCount = Math.floor(data.length / pageSize)
  }

  /** The file's pages, or undefined when neither meta page is readable. */
  static of(data: Buffer): PageFile | undefined {
    for (const base of [0, 4096, 8192, 16384, 32768, 65536]) {
      if (data.length < base + 160 || data.readUInt32LE(base + 24) !== MAGIC) continue
      const size = data.readUInt32LE(base + 48)
      if (size >= 512 && size <= 65536 && (size & (size - 1)) === 0) return new PageFile(data, size)
    }
    return undefined
  }

  /** The readable meta pages, newest first. */
  snapshots(): Snapshot[] {
    const out: Snapshot[] = []
    for (const n of [0, 1]) {
      const base = n * this.pageSize
      if (base + 160 > this.data.length || this.data.readUInt32LE(base + 24) !== MAGIC) continue
      out.push({
        txnid: this.data.readBigUInt64LE(base + 152),
        lastPage: Number(this.data.readBigUInt64LE(base + 144)),
        freeRoot: this.#pageNumber(this.data.readBigUInt64LE(base + 48 + 40)),
        mainRoot: this.#pageNumber(this.data.readBigUInt64LE(base + 96 + 40)),
      })
    }
    return out.sort((a, b) => (a.txnid > b.txnid ? -1 : 1))
  }

  /** Every page that looks like an intact leaf page, with the txnid that wrote it. */
  leafPages(): number[] {
    const out: number[] = []
    for (let n = 2; n < this.pageCount; n++) if (this.#kind(n) === 'leaf') out.push(n)
    return out
  }

  /** The txnid that wrote page `n`. */
  txnOf(n: number): bigint {
    return this.data.readBigUInt64LE(n * this.pageSize + 8)
  }

  /**
   * Walks the tree under `root`, handing over each intact leaf page; returns how many pages
   * could not be read (a damaged subtree is skipped, not followed).
   */
  walk(
    root: number | undefined,
    onLeaf: (page: number) => void,
    maxTxn?: bigint,
    seen = new Set<number>(),
  ): number {
    if (root === undefined) return 0
    if (seen.has(root)) return 1
    seen.add(root)
    // A page written after the snapshot was reused since: it is not that snapshot's any more.
    if (maxTxn !== undefined && this.txnOf(root) > maxTxn) return 1
    const kind = this.#kind(root)
    if (kind === 'leaf') {
      onLeaf(root)
      return 0
    }
    if (kind !== 'branch') return 1
    let damaged = 0
    for (const offset of this.#nodeOffsets(root)) {
      if (offset === undefined) {
        damaged++
        continue
      }
      const child = this.data.readUInt16LE(offset) + this.data.readUInt16LE(offset + 2) * 0x10000
      const top = this.data.readUInt16LE(offset + 4) * 0x1_0000_0000
      damaged += this.walk(child + top, onLeaf, maxTxn, seen)
    }
    return damaged
  }

  /** The records of a leaf page; a node that fails a check (or whose overflow pages do) is skipped. */
  records(page: number): { records: Record[]; damaged: number; subDbs: Map<string, SubDb> } {
    const records: Record[] = []
    const subDbs = new Map<string, SubDb>()
    let damaged = 0
    for (const offset of this.#nodeOffsets(page)) {
      const node = offset === undefined ? undefined : this.#leafNode(page, offset)
      if (!node) {
        damaged++
        continue
      }
      if (node.flags & F_SUBDATA) {
        if (node.value.length >= 48)
          // Names are stored as C strings, with their terminating NUL.
          subDbs.set(node.key.toString('utf8').replace(/\0$/, ''), {
            entries: Number(node.value.readBigUInt64LE(32)),
            root: this.#pageNumber(node.value.readBigUInt64LE(40)),
          })
      } else
        records.push({
          key: node.key,
          value: node.value,
          page,
          ...(node.overflow ? { overflow: node.overflow } : {}),
        })
    }
    return { records, damaged, subDbs }
  }

  /** The sub-databases named in a snapshot's main tree, or undefined when it cannot be read whole. */
  subDbs(snapshot: Snapshot): Map<string, SubDb> | undefined {
    const found = new Map<string, SubDb>()
    let damaged = 0
    const walked = this.walk(
      snapshot.mainRoot,
      (page) => {
        const { subDbs, damaged: bad } = this.records(page)
        damaged += bad
        for (const [name, db] of subDbs) found.set(name, db)
      },
      snapshot.txnid,
    )
    damaged += walked
    return damaged === 0 && snapshot.mainRoot !== undefined ? found : undefined
  }

  /** Every record of the tree under `root`, and how many pages or nodes were unreadable. */
  tree(root: number | undefined, maxTxn?: bigint): { records: Record[]; damaged: number } {
    const records: Record[] = []
    let damaged = 0
    const walked = this.walk(
      root,
      (page) => {
        const got = this.records(page)
        records.push(...got.records)
        damaged += got.damaged
      },
      maxTxn,
    )
    damaged += walked
    return { records, damaged }
  }

  /** The pages a snapshot's free list names (free, so their contents are stale). */
  freePages(snapshot: Snapshot): Set<number> | undefined {
    const free = new Set<number>()
    const { records, damaged } = this.tree(snapshot.freeRoot, snapshot.txnid)
    if (damaged > 0) return undefined
    for (const { value } of records) {
      // An ID list: a count, then that many page numbers, 8 bytes each.
      if (value.length < 8) return undefined
      const count = Number(value.readBigUInt64LE(0))
      if (count * 8 + 8 > value.length) return undefined
      for (let i = 1; i <= count; i++) free.add(Number(value.readBigUInt64LE(i * 8)))
    }
    return free
  }

  #pageNumber(raw: bigint): number | undefined {
    return raw === NO_PAGE || raw >= BigInt(this.pageCount) ? undefined : Number(raw)
  }

  #kind(n: number): 'leaf' | 'branch' | 'overflow' | undefined {
    if (n < 2 || n >= this.pageCount) return undefined
    const base = n * this.pageSize
    if (this.data.readBigUInt64LE(base) !== BigInt(n)) return undefined
    const flags = this.data.readUInt16LE(base + 18)
    if (flags & P_OVERFLOW) return 'overflow'
    if (flags & P_LEAF2) return undefined
    const lower = this.data.readUInt16LE(base + 20)
    const upper = this.data.readUInt16LE(base + 22)
    if (lower & 1 || lower > upper || HEADER + upper > this.pageSize) return undefined
    if (flags & P_LEAF) return 'leaf'
    if (flags & P_BRANCH) return 'branch'
    return undefined
  }

  /** Absolute offsets of a page's nodes; undefined for one pointing outside the page. */
  #nodeOffsets(n: number): Array<number | undefined> {
    const base = n * this.pageSize
    const count = this.data.readUInt16LE(base + 20) >> 1
    const out: Array<number | undefined> = []
    for (let i = 0; i < count; i++) {
      const at = HEADER + this.data.readUInt16LE(base + HEADER + 2 * i)
      out.push(at + 8 <= this.pageSize ? base + at : undefined)
    }
    return out
  }

  #leafNode(
    page: number,
    offset: number,
  ): { key: Buffer; value: Buffer; flags: number; overflow?: { first: number; pages: number } } | undefined {
    const end = (page + 1) * this.pageSize
    const size = this.data.readUInt16LE(offset) + this.data.readUInt16LE(offset + 2) * 0x10000
    const flags = this.data.readUInt16LE(offset + 4)
    const keySize = this.data.readUInt16LE(offset + 6)
    if (flags & F_DUPDATA) return undefined
    const keyAt = offset + 8
    if (keyAt + keySize > end) return undefined
    const key = this.data.subarray(keyAt, keyAt + keySize)
    if (!(flags & F_BIGDATA)) {
      if (keyAt + keySize + size > end) return undefined
      return { key, value: this.data.subarray(keyAt + keySize, keyAt + keySize + size), flags }
    }
    if (keyAt + keySize + 8 > end) return undefined
    const first = this.#pageNumber(this.data.readBigUInt64LE(keyAt + keySize))
    if (first === undefined || this.#kind(first) !== 'overflow') return undefined
    const pages = this.data.readUInt32LE(first * this.pageSize + 20)
    const start = first * this.pageSize + HEADER
    if (HEADER + size > pages * this.pageSize || start + size > this.data.length) return undefined
    return { key, value: this.data.subarray(start, start + size), flags, overflow: { first, pages } }
  }
}
