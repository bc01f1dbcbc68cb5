/** What happened to a store that could not be used as found, and the one line that says so. */
import { renameSync, statSync } from 'node:fs'
import type { Logger } from 'pino'
import { lockStore, RELEASE_BEFORE_RENAME } from './lock'

/** What was wrong with the store found at open, and where it went. */
export interface MovedAside {
  problem: string
  movedTo: string
  /** Batches and data points known to be lost. */
  lostBatches: number
  lostDataPoints: number
  /** Part or all of the old store could not be read, so more may have been lost than counted. */
  uncounted: boolean
  /** Batches and cursors copied into the fresh store because they were still readable. */
  salvagedBatches: number
}

/** Logs, once, at error level, what happened to an unusable store and what it cost. */
export function logMovedAside(log: Logger, path: string, moved: MovedAside): void {
  const { movedTo, problem, salvagedBatches, uncounted, lostBatches, lostDataPoints } = moved
  log.error(
    {
      path,
      movedTo,
      problem,
      salvagedBatches,
      uncounted,
      droppedBatches: lostBatches,
      droppedDataPoints: lostDataPoints,
    },
    describeMovedAside(path, moved),
  )
}

/** The one log line that says what happened to an unusable store. */
function describeMovedAside(path: string, moved: MovedAside): string {
  const outcome = [
    moved.salvagedBatches ? `${moved.salvagedBatches} readable batch(es) copied into it` : '',
    moved.lostBatches
      ? `${moved.lostBatches} unreadable batch(es) (${moved.lostDataPoints} data points) counted as dropped`
      : '',
    moved.uncounted ? 'what else the old store held could not be read or counted' : '',
  ]
  return [
    `buffer store at ${path} was unusable (${moved.problem}); moved it to ${moved.movedTo} and started a fresh store`,
    ...outcome.filter(Boolean),
  ].join('; ')
}

export function pathKind(path: string): 'missing' | 'directory' | 'other' {
  try {
    return statSync(path).isDirectory() ? 'directory' : 'other'
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing'
    throw err
  }
}

/** The release of the lock currently held; swapped when a store is replaced. */
export interface Held {
  release: () => void
}

/**
 * Moves the locked store aside and takes the fresh, empty one in its place. The old lock is
 * held through the rename where the platform allows it, so no second agent slips in between.
 */
export function replaceLocked(path: string, now: number, held: Held): string {
  const old = held.release
  if (RELEASE_BEFORE_RENAME) old()
  const movedTo = moveAside(path, now)
  held.release = lockStore(path)
  if (!RELEASE_BEFORE_RENAME) old()
  return movedTo
}

/** Renames the store out of the way; never deletes it. */
export function moveAside(path: string, now: number): string {
  const stamp = new Date(now).toISOString().replace(/[:.]/g, '-')
  for (let n = 0; ; n++) {
    const target = `${path}.corrupt-${stamp}${n ? `-${n}` : ''}`
    if (pathKind(target) !== 'missing') continue
    renameSync(path, target)
    return target
  }
}
