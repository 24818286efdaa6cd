import { callbackSignals, createInteractions, memoryStore, type Actor, type InteractionsOptions, type Signal } from '@hitl/interactions'

export const alice = { type: 'member', id: 'user_alice' } as const
export const bob = { type: 'member', id: 'user_bob' } as const
export const carol = { type: 'member', id: 'user_carol' } as const
export const bot = { type: 'agent', id: 'agent_reviewer' } as const

/** A clock the test moves by hand. */
export function manualClock(start = '2026-04-21T09:00:00.000Z') {
  let now = new Date(start)
  return {
    now: () => now,
    set: (iso: string) => void (now = new Date(iso)),
    advance: (ms: number) => void (now = new Date(now.getTime() + ms)),
  }
}

/** A service on a fresh memory store, recording delivered signals, with a fixed directory. */
export function harness({ groups: extraGroups, ...options }: Partial<InteractionsOptions> & { groups?: Record<string, Actor[]> } = {}) {
  const clock = manualClock()
  const delivered: Signal[] = []
  const store = options.store ?? memoryStore()
  const groups: Record<string, Actor[]> = { group_ops: [alice, bob, carol], ...extraGroups }
  const interactions = createInteractions({
    store,
    clock: clock.now,
    signals: callbackSignals((signal) => void delivered.push(signal)),
    directory: { membersOf: async (_project, groupId) => groups[groupId] ?? [] },
    ...options,
  })
  return { interactions, store, clock, delivered }
}

/** The canonical approval gate from the product description. */
export const deployGate = {
  type: 'approval',
  run_id: 'run_01abc',
  topic: 'deploy-gate',
  target_actor: alice,
  message: 'Approve deployment of service-api to production?',
  spec: { mode: 'confirm' },
  expires_at: '2026-04-22T10:00:00Z',
} as const

/** Runs `fn` and returns the error it rejects with, failing if it resolves. */
export async function rejection(
  fn: () => Promise<unknown>,
): Promise<{ code: string; message: string; issues: { path: (string | number)[]; message: string }[] }> {
  try {
    await fn()
  } catch (error) {
    return error as never
  }
  throw new Error('expected the call to fail, but it succeeded')
}
