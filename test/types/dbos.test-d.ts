import type { DBOS, DBOSClient } from '@dbos-inc/dbos-sdk'
import type { OutboxEntry } from '@hitl/interactions'
import {
  dbosSendInTransaction,
  dbosSignals,
  waitForInteraction,
  type DBOSReceiver,
  type DBOSSender,
  type DBOSTransactionalSender,
  type InteractionOutcome,
} from '@hitl/interactions/dbos'
import type { PgClient, PostgresStoreOptions } from '@hitl/interactions/postgres'
import { describe, expectTypeOf, it } from 'vitest'

// The entry types DBOS structurally; these keep the structural types in step with the real SDK.
describe('dbos types', () => {
  it('accepts a DBOSClient, or the DBOS class, where a client is asked for', () => {
    expectTypeOf<DBOSClient>().toExtend<DBOSSender>()
    expectTypeOf<typeof DBOS>().toExtend<DBOSSender>()
    expectTypeOf<DBOSClient>().toExtend<DBOSTransactionalSender>()
    expectTypeOf<typeof DBOS>().toExtend<DBOSReceiver>()
  })

  it('dbosSendInTransaction fits postgresStore({ sendInTransaction })', () => {
    expectTypeOf<ReturnType<typeof dbosSendInTransaction>>().toExtend<NonNullable<PostgresStoreOptions['sendInTransaction']>>()
    expectTypeOf<NonNullable<PostgresStoreOptions['sendInTransaction']>>().toEqualTypeOf<(client: PgClient, entry: OutboxEntry) => Promise<void>>()
    expectTypeOf(dbosSignals).returns.toHaveProperty('name').toEqualTypeOf<'dbos'>()
  })

  it('waitForInteraction narrows on status: a signal only when one came', () => {
    expectTypeOf(waitForInteraction).returns.resolves.toEqualTypeOf<InteractionOutcome>()
    const outcome = {} as InteractionOutcome
    if (outcome.status === 'timed_out') {
      // @ts-expect-error a timeout carries no signal
      void outcome.signal
    } else {
      expectTypeOf(outcome.signal.status).toEqualTypeOf<'completed' | 'expired'>()
    }
  })

  it('waitForInteraction requires a timeout', () => {
    // @ts-expect-error timeoutSeconds is required: DBOS's 60 s default would time out human decisions
    void waitForInteraction('deploy-gate', {})
  })
})
