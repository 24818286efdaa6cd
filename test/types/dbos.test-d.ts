import type { DBOS, DBOSClient } from '@dbos-inc/dbos-sdk'
import type { SignalDelivery } from '@hitl/interactions'
import {
  dbosSignals,
  waitForInteraction,
  type DBOSReceiver,
  type DBOSSender,
  type DBOSTransactionalSender,
  type InteractionOutcome,
} from '@hitl/interactions/dbos'
import { describe, expectTypeOf, it } from 'vitest'

// The entry types DBOS structurally; these keep the structural types in step with the real SDK.
describe('dbos types', () => {
  it('accepts a DBOSClient, or the DBOS class, where a client is asked for', () => {
    expectTypeOf<DBOSClient>().toExtend<DBOSSender>()
    expectTypeOf<typeof DBOS>().toExtend<DBOSSender>()
    expectTypeOf<DBOSClient>().toExtend<DBOSTransactionalSender>()
    expectTypeOf<typeof DBOS>().toExtend<DBOSReceiver>()
  })

  it('dbosSignals is a SignalDelivery; inTransaction takes a DBOSClient, not the DBOS class', () => {
    expectTypeOf(dbosSignals).returns.toExtend<SignalDelivery>()
    expectTypeOf(dbosSignals).returns.toHaveProperty('name').toEqualTypeOf<'dbos'>()
    const client = {} as DBOSClient
    void dbosSignals({ client, inTransaction: true })
    void dbosSignals({ client: {} as typeof DBOS })
    // @ts-expect-error the DBOS class has no sendInTransaction, so it cannot send inside the store's transaction
    void dbosSignals({ client: {} as typeof DBOS, inTransaction: true })
  })

  it('waitForInteraction narrows on status: a signal only when one came, with that status', () => {
    expectTypeOf(waitForInteraction).returns.resolves.toEqualTypeOf<InteractionOutcome>()
    const outcome = {} as InteractionOutcome
    if (outcome.status === 'timed_out') {
      // @ts-expect-error a timeout carries no signal
      void outcome.signal
    } else if (outcome.status === 'expired') {
      expectTypeOf(outcome.signal.status).toEqualTypeOf<'expired'>()
    }
  })

  it('waitForInteraction requires a timeout', () => {
    // @ts-expect-error timeoutSeconds is required: DBOS's 60 s default would time out human decisions
    void waitForInteraction('deploy-gate', {})
  })
})
