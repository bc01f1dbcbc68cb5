/**
 * A write to the store that did not commit (a full disk: LMDB reports ENOSPC or EIO).
 *
 * lmdb-js rejects the transaction with a generic "Commit failed" and, a moment later, a
 * second promise (`commitError`) with the cause. That one must always be handled, or it
 * reaches `unhandledRejection` (which ends the CLI): `committed` handles it and rethrows
 * one `StoreWriteError` carrying the cause. The store stays usable after it.
 */
export class StoreWriteError extends Error {
  override readonly name = 'StoreWriteError'
  readonly code?: string | number

  constructor(readonly cause: unknown) {
    const c = cause as { message?: string; code?: string | number }
    super(`the buffer store could not write to disk: ${c?.message ?? String(cause)}`)
    this.code = c?.code
  }
}

/** Resolves when `transaction` committed; rejects with a `StoreWriteError` otherwise. */
export async function committed(transaction: Promise<unknown>): Promise<void> {
  try {
    await transaction
  } catch (err) {
    const pending = (err as { commitError?: Promise<unknown> }).commitError
    const cause = pending
      ? await pending.then(
          () => err,
          (e: unknown) => e,
        )
      : err
    throw new StoreWriteError(cause)
  }
}
