import { callbackSignals, type InteractionNotification, type InteractionStore, type Notifier } from '@hitl/interactions'
import { expect, it } from 'vitest'
import { describeEachStore } from '../support/each-store.js'
import { alice, bob, carol, harness, rejection } from '../support/harness.js'

const LEASE_MS = 60_000
const direct = { type: 'approval', spec: { mode: 'confirm' }, target_actor: alice, message: 'Ship it?' } as const
const toOps = { ...direct, target_actor: { type: 'group', id: 'group_ops' } } as const

/** A notifier that fails the first `failures` calls (permanently when asked), then records what it is given. */
function recordingNotifier(failures = 0, permanent = false) {
  const attempts: InteractionNotification[] = []
  const received: InteractionNotification[] = []
  const notifier: Notifier = {
    async notify(notification) {
      attempts.push(notification)
      if (attempts.length <= failures) throw Object.assign(new Error(`mail server down (attempt ${attempts.length})`), { permanent })
      received.push(notification)
    },
  }
  return { notifier, attempts, received }
}

/** Every outbox entry of the store that carries a notification, whatever its status. */
async function notificationEntries(store: InteractionStore) {
  const lists = await Promise.all((['pending', 'delivered', 'dead'] as const).map((status) => store.outbox.list({ status, limit: 100 })))
  return lists.flat().filter((entry) => 'notification' in entry)
}

describeEachStore('notifications through the outbox', (emptyStore) => {
  it('create — a direct interaction notifies its target once, assigned, with the record as written', async () => {
    const store = await emptyStore()
    const mail = recordingNotifier()
    const { interactions } = harness({ store, notifier: mail.notifier })
    const created = await interactions.create('acme', direct)
    expect(mail.received).toEqual([
      { id: `${created.id}:assigned:1:0`, kind: 'assigned', project: 'acme', interaction: created, recipients: [alice] },
    ])
    expect(await notificationEntries(store)).toEqual([expect.objectContaining({ id: `${created.id}:assigned:1:0`, status: 'delivered' })])
  })

  it('create — a group interaction notifies each snapshotted member once, in one notification', async () => {
    const store = await emptyStore()
    const mail = recordingNotifier()
    const { interactions } = harness({ store, notifier: mail.notifier, groups: { group_ops: [alice, bob, carol, bob] } })
    const created = await interactions.create('acme', toOps)
    expect(mail.received.map((n) => [n.kind, n.recipients])).toEqual([['assigned', [alice, bob, carol]]])
    expect(mail.received[0]!.interaction).toEqual(created)
  })

  it('claim — a lapse and a new claim in one call tell every member the claim lapsed, the lapsed claimant included', async () => {
    const store = await emptyStore()
    const mail = recordingNotifier()
    const { interactions, clock } = harness({ store, notifier: mail.notifier })
    const ask = await interactions.create('acme', { ...toOps, claim_timeout: 'PT30M' })
    await interactions.claim('acme', ask.id, alice)
    clock.advance(31 * 60_000)
    await interactions.claim('acme', ask.id, bob)
    expect(mail.received.filter((n) => n.kind === 'claim_lapsed').map((n) => n.recipients)).toEqual([[alice, bob, carol]])
  })

  it('sweep — a reminder due before an expiry that the same sweep applies tells nobody: the item is gone', async () => {
    const store = await emptyStore()
    const mail = recordingNotifier()
    const { interactions, clock } = harness({ store, notifier: mail.notifier })
    const ask = await interactions.create('acme', {
      ...direct,
      expires_at: '2026-04-21T12:00:00Z',
      escalation: [{ after: 'PT1H', action: 'remind' }],
    })
    clock.set('2026-04-21T13:00:00Z')
    expect(await interactions.sweep()).toMatchObject({ expired: 1, reminded: 1 })
    expect(mail.received.map((n) => n.kind)).toEqual(['assigned'])
    expect((await interactions.history('acme', ask.id)).map((e) => e.type)).toEqual(['created', 'reminded', 'expired'])
  })

  it('deliverSignals — an instance without a notifier leaves notifications to one that has it, and one without signals leaves signals', async () => {
    const store = await emptyStore()
    const mail = recordingNotifier(1)
    const sent: string[] = []
    const writer = harness({ store, notifier: mail.notifier, signals: callbackSignals(() => Promise.reject(new Error('engine down'))) })
    const ask = await writer.interactions.create('acme', { ...direct, run_id: 'run_1', topic: 'gate' })
    await writer.interactions.respond('acme', ask.id, { actor: alice, value: { confirmed: true } })
    const signalsOnly = harness({ store, signals: callbackSignals((signal) => void sent.push(signal.idempotency_key)) })
    const notifierOnly = harness({ store, notifier: mail.notifier })
    for (const { clock } of [writer, signalsOnly, notifierOnly]) clock.set('2026-04-21T12:00:00Z')
    expect(await signalsOnly.interactions.deliverSignals()).toEqual({ delivered: 1, retrying: 0, dead: 0 })
    expect(await notifierOnly.interactions.deliverSignals()).toEqual({ delivered: 1, retrying: 0, dead: 0 })
    expect(sent).toEqual([`${ask.id}:completed`])
    expect(mail.received.map((n) => n.kind)).toEqual(['assigned'])
    expect(await writer.interactions.failedSignals()).toEqual([])
  })

  it('create — a repeated idempotency key writes no second notification', async () => {
    const store = await emptyStore()
    const mail = recordingNotifier()
    const { interactions } = harness({ store, notifier: mail.notifier })
    const first = await interactions.create('acme', { ...direct, idempotency_key: 'once' })
    const again = await interactions.create('acme', { ...direct, idempotency_key: 'once' })
    expect(again.id).toBe(first.id)
    expect(mail.received).toHaveLength(1)
    expect(await notificationEntries(store)).toHaveLength(1)
  })

  it('create — without a notifier, no notification is written', async () => {
    const store = await emptyStore()
    const { interactions } = harness({ store })
    await interactions.create('acme', toOps)
    expect(await notificationEntries(store)).toEqual([])
  })

  it('create crashing after the write — the notification was written with the record, and a later pass delivers it', async () => {
    const base = await emptyStore()
    const store: InteractionStore = {
      ...base,
      async create(query) {
        await base.create(query)
        throw new Error('the process died after the write')
      },
    }
    const mail = recordingNotifier()
    const crashing = harness({ store, notifier: mail.notifier })
    await expect(crashing.interactions.create('acme', direct)).rejects.toThrow('the process died')
    expect(mail.received).toEqual([])

    // The writer's lease on its entry runs out; another instance delivers it.
    const recovery = harness({ store: base, notifier: mail.notifier })
    recovery.clock.advance(LEASE_MS)
    expect(await recovery.interactions.deliverSignals()).toEqual({ delivered: 1, retrying: 0, dead: 0 })
    expect(mail.received.map((n) => [n.kind, n.recipients])).toEqual([['assigned', [alice]]])
  })

  it('deliverSignals — retries a failed notification with backoff under the same id, until it lands', async () => {
    const store = await emptyStore()
    const mail = recordingNotifier(2)
    const delivery = { baseMs: 1_000, factor: 2 }
    const { interactions, clock } = harness({ store, notifier: mail.notifier, random: () => 0.5, delivery })
    const created = await interactions.create('acme', direct)
    // The waits are 1 s × 0.75, then 2 s × 0.75: a pass a millisecond early finds nothing due.
    const reports = []
    for (const wait of [749, 1, 1_499, 1]) {
      clock.advance(wait)
      reports.push(await interactions.deliverSignals())
    }
    expect(reports.map(({ delivered, retrying }) => [delivered, retrying])).toEqual([
      [0, 0],
      [0, 1],
      [0, 0],
      [1, 0],
    ])
    expect(mail.attempts.map((n) => n.id)).toEqual(Array.from({ length: 3 }, () => `${created.id}:assigned:1:0`))
  })

  it('deliverSignals — dead-letters a notification like a signal; failedSignals lists it and retrySignal revives it', async () => {
    const store = await emptyStore()
    const mail = recordingNotifier(1, true)
    const { interactions } = harness({ store, notifier: mail.notifier })
    const created = await interactions.create('acme', direct)
    const [dead] = await interactions.failedSignals()
    expect(dead).toMatchObject({ id: `${created.id}:assigned:1:0`, status: 'dead', last_error: 'Error: mail server down (attempt 1)' })
    expect(dead && 'notification' in dead && dead.notification.kind).toBe('assigned')
    await interactions.retrySignal(dead!.id)
    expect(await interactions.deliverSignals()).toEqual({ delivered: 1, retrying: 0, dead: 0 })
    expect(mail.received.map((n) => n.id)).toEqual([`${created.id}:assigned:1:0`])
  })

  it('deliverSignals — two dispatchers at once deliver each notification once', async () => {
    const store = await emptyStore()
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const received: string[] = []
    const tried = new Set<string>()
    // The first attempt of each fails, so every notification waits in the outbox for the dispatchers.
    const notifier: Notifier = {
      async notify({ id }) {
        if (!tried.has(id)) {
          tried.add(id)
          throw new Error('first attempt fails')
        }
        await gate
        received.push(id)
      },
    }
    const dispatchers = [1, 2].map(() => harness({ store, notifier, delivery: { baseMs: 1, maxMs: 1 } }))
    for (let i = 0; i < 6; i++) await dispatchers[0]!.interactions.create('acme', i % 2 === 0 ? direct : toOps)
    for (const { clock } of dispatchers) clock.advance(10)
    const passes = Promise.all(dispatchers.map(({ interactions }) => interactions.deliverSignals()))
    release()
    const reports = await passes
    expect(reports.reduce((sum, report) => sum + report.delivered, 0)).toBe(6)
    expect(received.sort()).toEqual([...tried].sort())
  })

  it('respond — a run-linked interaction sends its signal to the signals adapter, its notification to the notifier', async () => {
    const store = await emptyStore()
    const mail = recordingNotifier()
    const signalled: string[] = []
    const signals = callbackSignals((signal) => void signalled.push(signal.idempotency_key))
    const { interactions } = harness({ store, notifier: mail.notifier, signals })
    const created = await interactions.create('acme', { ...direct, run_id: 'run_1', topic: 'gate' })
    await interactions.respond('acme', created.id, { actor: alice, value: { confirmed: true } })
    expect(signalled).toEqual([`${created.id}:completed`])
    expect(mail.received.map((n) => n.kind)).toEqual(['assigned'])
  })
})

it('deliverSignals — an instance with a notifier and no signals adapter delivers notifications', async () => {
  const mail = recordingNotifier(1)
  const { interactions, clock } = harness({ notifier: mail.notifier, signals: undefined, delivery: { baseMs: 1, maxMs: 1 } })
  await interactions.create('acme', direct)
  clock.advance(1)
  expect(await interactions.deliverSignals()).toEqual({ delivered: 1, retrying: 0, dead: 0 })
})

it("createInteractions — the notifier must be an object with notify, and the lease longer than the notifier's timeout", async () => {
  const notifier: Notifier = { notify: async () => undefined, timeoutMs: 60_000 }
  const tooShort = await rejection(async () => harness({ notifier }))
  expect(tooShort).toMatchObject({ code: 'configuration', issues: [{ path: ['delivery', 'leaseMs'] }] })
  expect(tooShort.message).toContain("notifier adapter's timeoutMs (60000 ms)")
  const bare = await rejection(async () => harness({ notifier: (async () => undefined) as never }))
  const issue = { path: ['notifier'], message: expect.stringContaining('notify(notification)') }
  expect(bare).toMatchObject({ code: 'configuration', issues: [issue] })
})
