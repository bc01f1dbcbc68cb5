/**
 * Salvage from a damaged store's pages, for when LMDB cannot open or walk it (a zeroed root
 * page, a truncated file). What is live is judged against the newest snapshot: a page its
 * free list names, or one written after it, is stale. The sub-databases come from the newest
 * meta page whose main tree is whole, else from the older one (LMDB keeps the previous
 * snapshot intact). Batch records are read from their trees where those can be walked, and
 * from every other intact, live leaf page (with its overflow pages) where they cannot.
 * The records are written, bytes unchanged, into a scratch LMDB store, which the caller
 * then reads and checks like any other.
 */
import { readFileSync } from 'node:fs'
import { open } from 'lmdb'
import { PageFile, type Record, type SubDb } from './pages'

export interface Rebuilt {
  /** Batches the damaged store held, by its own count or by the records found, whichever is more. */
  expected: number
  /** False when the newest snapshot's main tree did not give the store's own count (more may have been lost). */
  counted: boolean
}

/** A batch record: a msgpack array of 5 or 6 whose first item is the signal name. */
function looksLikeBatch(value: Buffer): boolean {
  if (value.length < 7 || (value[0] !== 0x95 && value[0] !== 0x96)) return false
  const rest = value.subarray(1, 9).toString('latin1')
  return rest.startsWith('\xa7metrics') || rest.startsWith('\xa4logs')
}

/** Recovers what the data file at `file` still holds into a new store at `scratch`. */
export async function rebuildFromPages(
  file: string,
  scratch: string,
  formatVersion: number,
): Promise<Rebuilt | undefined> {
  const pages = PageFile.of(readFileSync(file))
  const snapshots = pages?.snapshots() ?? []
  if (!pages || snapshots.length === 0) return undefined
  const newest = snapshots[0]!
  let dbs: Map<string, SubDb> | undefined
  let source = newest
  for (const snapshot of snapshots) if ((dbs = pages.subDbs((source = snapshot)))) break
  // Only the newest snapshot's free list tells what is stale now (older ones name pages reused since).
  const free = pages.freePages(newest)

  const batches = new Map<string, Record>()
  const bodies = new Map<string, Record>()
  const other: { [name: string]: Record[] } = { cursors: [], state: [] }
  const claimed = new Set<number>()
  const take = (name: string, page: number): void => {
    claimed.add(page)
    const into = name === 'batches' ? batches : name === 'bodies' ? bodies : undefined
    for (const record of pages.records(page).records) {
      if (into) into.set(record.key.toString('hex'), record)
      else other[name]?.push(record)
    }
  }
  for (const name of ['batches', 'bodies', 'cursors', 'state'])
    pages.walk(dbs?.get(name)?.root, (page) => take(name, page), source.txnid)
  for (const snapshot of snapshots) {
    pages.walk(snapshot.mainRoot, (page) => claimed.add(page), snapshot.txnid)
    pages.walk(snapshot.freeRoot, (page) => claimed.add(page), snapshot.txnid)
  }

  // Leaf pages no whole tree reached: newest first, so a record's latest copy wins.
  const orphans = pages
    .leafPages()
    .filter((n) => !claimed.has(n) && !free?.has(n) && n <= newest.lastPage && pages.txnOf(n) <= newest.txnid)
    .sort((a, b) => (pages.txnOf(b) > pages.txnOf(a) ? 1 : -1))
  for (const page of orphans) {
    for (const record of pages.records(page).records) {
      const into = looksLikeBatch(record.value) ? batches : bodies
      const key = record.key.toString('hex')
      if (!into.has(key)) into.set(key, record)
    }
  }

  const env = open({ path: scratch, maxDbs: 8 })
  try {
    const raw = (name: string) =>
      env.openDB<Buffer, Buffer>({ name, encoding: 'binary', keyEncoding: 'binary' })
    const targets = {
      batches: raw('batches'),
      bodies: raw('bodies'),
      cursors: raw('cursors'),
      state: raw('state'),
    }
    const state = env.openDB<unknown, string>({ name: 'state', encoding: 'msgpack' })
    await env.transaction(() => {
      for (const r of batches.values()) targets.batches.putSync(r.key, r.value)
      // Only bodies with a batch record: the rest are records of other trees read as orphans.
      for (const [key, r] of bodies) if (batches.has(key)) targets.bodies.putSync(r.key, r.value)
      for (const r of other.cursors!) targets.cursors.putSync(r.key, r.value)
      for (const r of other.state!) targets.state.putSync(r.key, r.value)
      if (state.get('format') === undefined) state.putSync('format', formatVersion)
    })
  } finally {
    await env.close()
  }
  // An older snapshot's count misses what the newest transaction added.
  const counted = dbs?.get('batches')?.entries ?? 0
  return { expected: Math.max(counted, batches.size), counted: dbs !== undefined && source === newest }
}
