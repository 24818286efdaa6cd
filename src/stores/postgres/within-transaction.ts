import { describeError } from '../../errors.js'
import type { SignalEntry } from '../../model/signal.js'
import type { ModifyQuery } from '../../ports.js'
import type { PgClient } from './pool.js'

const SAVEPOINT = 'hitl_within_transaction'

/**
 * Inside an open transaction that has just written `entry`: calls the `modify` hook with the
 * transaction's connection and, if it resolves, marks the entry delivered, so the decision and the
 * message commit together. A failure rolls back to a savepoint taken before the hook (a failed
 * statement would otherwise abort the whole transaction), so the decision still commits — a
 * human's answer must not be lost because the engine refused the message — and the entry stays
 * pending for the outbox, with the reason in `last_error`.
 */
export async function runWithinTransaction(
  client: PgClient,
  schema: string,
  entry: SignalEntry,
  hook: NonNullable<ModifyQuery<unknown>['withinTransaction']>,
): Promise<void> {
  await client.query(`SAVEPOINT ${SAVEPOINT}`)
  try {
    await hook(entry, client)
  } catch (error) {
    await client.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`)
    // Kept until an attempt delivers, so a fallback to the outbox says why (e.g. DBOS's tables in another database).
    await client.query(`UPDATE ${schema}.outbox SET last_error = $2 WHERE id = $1`, [
      entry.id,
      `in transaction: ${describeError(error)}`.slice(0, 2_000),
    ])
    return
  }
  // Delivered at the decision's time, which the entry was written with.
  await client.query(
    `UPDATE ${schema}.outbox SET status = 'delivered', delivered_at = $2::timestamptz, lease_owner = NULL, lease_expires_at = NULL WHERE id = $1`,
    [entry.id, entry.created_at],
  )
}
