import { LIMITS, memoryStore, type Interaction, type InteractionStore } from '@hitl/interactions'
import { describe, expect, it } from 'vitest'
import { alice, bob, deployGate, harness, rejection } from '../support/harness.js'

type Service = ReturnType<typeof harness>['interactions']
type Ids = { gate: string; review: string; multi: string; text: string; group: string }

/** Counts writes, so a test can prove a refused call wrote nothing. */
function countingStore(store: InteractionStore) {
  const writes = { count: 0 }
  const counted = (name: 'create' | 'update' | 'leaseSignals' | 'settleSignal' | 'reviveSignal') =>
    (async (...args: unknown[]) => {
      writes.count++
      return (store[name] as (...a: unknown[]) => Promise<unknown>)(...args)
    }) as never
  return {
    writes,
    store: { ...store, create: counted('create'), update: counted('update'), leaseSignals: counted('leaseSignals'), settleSignal: counted('settleSignal'), reviveSignal: counted('reviveSignal') },
  }
}

/** Every record, outbox entry and inbox the fixtures can reach, serialized. */
async function snapshot(store: InteractionStore, ids: Ids) {
  const records = await Promise.all(Object.values(ids).map((id) => store.get('acme', id)))
  const outbox = await Promise.all((['pending', 'delivered', 'dead'] as const).map((status) => store.listSignals({ status, limit: 1000 })))
  const inboxes = await Promise.all([alice, bob].map((actor) => store.inbox({ project: 'acme', actor, now: '2026-04-21T09:00:00.000Z', limit: 100 })))
  return JSON.stringify({ records, outbox, inboxes })
}

const options = (count: number) => Array.from({ length: count }, (_, i) => ({ value: `v${i}`, label: `V${i}` }))
const nested = (depth: number): Record<string, unknown> => (depth === 0 ? { leaf: true } : { level: nested(depth - 1) })
const long = (length: number) => 'x'.repeat(length)

type Case = { name: string; call: (svc: Service, ids: Ids) => Promise<unknown>; code?: string; path: (string | number)[] }
const create = (name: string, input: unknown, path: (string | number)[]): Case => ({ name: `create: ${name}`, call: (svc) => svc.create('acme', input as never), path })
const respond = (name: string, id: keyof Ids, input: unknown, path: (string | number)[], code = 'validation_failed'): Case => ({
  name: `respond: ${name}`,
  call: (svc, ids) => svc.respond('acme', ids[id], input as never),
  path,
  code,
})
const inbox = (name: string, actor: unknown, opts: unknown, path: (string | number)[]): Case => ({
  name: `inbox: ${name}`,
  call: (svc) => svc.inbox('acme', actor as never, opts as never),
  path,
})

const cases: Case[] = [
  create('not an object', 'approve please', []),
  create('null', null, []),
  create('type is a number', { ...deployGate, type: 1 }, ['type']),
  create('unknown type', { ...deployGate, type: 'vote' }, ['type']),
  create('unknown mode', { ...deployGate, spec: { mode: 'slider' } }, ['spec', 'mode']),
  create('missing type', { ...deployGate, type: undefined }, ['type']),
  create('missing spec', { ...deployGate, spec: undefined }, ['spec']),
  create('missing target_actor', { ...deployGate, target_actor: undefined }, ['target_actor']),
  create('extra field', { ...deployGate, priority: 'high' }, []),
  create('extra field in spec', { ...deployGate, spec: { mode: 'confirm', color: 'red' } }, ['spec']),
  create('empty target id', { ...deployGate, target_actor: { type: 'member', id: '' } }, ['target_actor', 'id']),
  create('blank target id', { ...deployGate, target_actor: { type: 'member', id: '   ' } }, ['target_actor', 'id']),
  create('huge target id', { ...deployGate, target_actor: { type: 'member', id: long(LIMITS.identifier + 1) } }, ['target_actor', 'id']),
  create('huge message', { ...deployGate, message: long(LIMITS.message + 1) }, ['message']),
  create('huge title', { ...deployGate, title: long(LIMITS.title + 1) }, ['title']),
  create('too many options', { type: 'review', target_actor: alice, spec: { mode: 'select', options: options(LIMITS.options + 1) } }, ['spec', 'options']),
  create('empty option value', { type: 'review', target_actor: alice, spec: { mode: 'select', options: [{ value: '', label: 'A' }] } }, ['spec', 'options', 0, 'value']),
  create('duplicate option values', { type: 'review', target_actor: alice, spec: { mode: 'select', options: [...options(2), ...options(1)] } }, ['spec', 'options', 2, 'value']),
  create('default_value not an option', { type: 'review', target_actor: alice, spec: { mode: 'select', options: options(2), default_value: 'zz' } }, ['spec', 'default_value']),
  create('duplicate default_values', { type: 'input', target_actor: alice, spec: { mode: 'multi_select', options: options(2), default_values: ['v0', 'v0'] } }, ['spec', 'default_values', 1]),
  create('past expires_at', { ...deployGate, expires_at: '2026-04-20T10:00:00Z' }, ['expires_at']),
  create('malformed expires_at', { ...deployGate, expires_at: '2026-13-45T99:00:00Z' }, ['expires_at']),
  create('expires_at as a Date object', { ...deployGate, expires_at: new Date('2026-04-22T10:00:00Z') }, ['expires_at']),
  create('__proto__ key in metadata', { ...deployGate, metadata: JSON.parse('{"__proto__": {"admin": true}}') }, ['metadata', '__proto__']),
  create('nested constructor key in metadata', { ...deployGate, metadata: { a: { constructor: { prototype: 1 } } } }, ['metadata', 'a', 'constructor']),
  create('function in metadata', { ...deployGate, metadata: { run: () => 1 } }, ['metadata', 'run']),
  create('BigInt in metadata', { ...deployGate, metadata: { n: 10n } }, ['metadata', 'n']),
  create('Date in metadata', { ...deployGate, metadata: { when: new Date() } }, ['metadata', 'when']),
  create('NaN in metadata', { ...deployGate, metadata: { n: Number.NaN } }, ['metadata', 'n']),
  create('metadata over the size limit', { ...deployGate, metadata: { blob: long(LIMITS.metadataBytes) } }, ['metadata']),
  create('metadata nested too deep', { ...deployGate, metadata: nested(LIMITS.metadataDepth + 1) }, ['metadata', ...Array<string>(LIMITS.metadataDepth + 1).fill('level')]),
  create('NUL character in the message', { ...deployGate, message: 'ship\u0000it' }, ['message']),
  create('NUL character in a metadata key', { ...deployGate, metadata: { 'a\u0000b': 1 } }, ['metadata', 'a\u0000b']),
  create('routing_policy on a member', { ...deployGate, routing_policy: 'all_members' }, ['routing_policy']),
  create('run_id without topic', { ...deployGate, topic: undefined }, ['topic']),
  { name: 'create: empty project', call: (svc) => svc.create('', deployGate), path: ['project'] },
  { name: 'create: project not a string', call: (svc) => svc.create(42 as never, deployGate), path: ['project'] },
  respond('value not an object', 'gate', { actor: alice, value: true }, ['value']),
  respond('confirm value of the wrong type', 'gate', { actor: alice, value: { confirmed: 'yes' } }, ['value', 'confirmed']),
  respond('option value not in the spec', 'review', { actor: alice, value: { value: 'zz' } }, ['value', 'value']),
  respond('duplicate multi_select values', 'multi', { actor: alice, value: { values: ['v0', 'v0'] } }, ['value', 'values', 1]),
  respond('text longer than max_length', 'text', { actor: alice, value: { text: long(11) } }, ['value', 'text']),
  respond('comment too long', 'gate', { actor: alice, value: { confirmed: true }, comment: long(LIMITS.comment + 1) }, ['comment']),
  respond('NUL character in the text', 'text', { actor: alice, value: { text: 'a\u0000' } }, ['value', 'text']),
  respond('missing actor', 'gate', { value: { confirmed: true } }, ['actor']),
  respond('group actor', 'gate', { actor: { type: 'group', id: 'g' }, value: { confirmed: true } }, ['actor', 'type']),
  respond('extra field', 'gate', { actor: alice, value: { confirmed: true }, weight: 2 }, []),
  respond('extra field in value', 'gate', { actor: alice, value: { confirmed: true, also: 1 } }, ['value']),
  respond('not eligible', 'gate', { actor: bob, value: { confirmed: true } }, [], 'not_eligible'),
  { name: 'respond: unknown id', call: (svc) => svc.respond('acme', 'iact_nope', { actor: alice, value: { confirmed: true } }), code: 'not_found', path: [] },
  { name: 'respond: id not a string', call: (svc) => svc.respond('acme', { id: 1 } as never, { actor: alice, value: { confirmed: true } }), path: ['id'] },
  { name: 'claim: actor without id', call: (svc, ids) => svc.claim('acme', ids.group, { type: 'member' } as never), path: ['actor', 'id'] },
  { name: 'claim: actor with extra fields', call: (svc, ids) => svc.claim('acme', ids.group, { ...alice, role: 'admin' } as never), path: ['actor'] },
  { name: 'claim: a direct target', call: (svc, ids) => svc.claim('acme', ids.gate, alice), path: ['routing_policy'] },
  inbox('limit zero', alice, { limit: 0 }, ['limit']),
  inbox('limit as a string', alice, { limit: '10' }, ['limit']),
  inbox('limit above the page size', alice, { limit: LIMITS.inboxPage + 1 }, ['limit']),
  inbox('unknown option', alice, { order: 'newest' }, []),
  inbox('unknown actor type', { type: 'robot', id: 'r' }, {}, ['actor', 'type']),
  inbox('random cursor', alice, { cursor: 'abc$%^' }, ['cursor']),
  inbox('cursor of the wrong shape', alice, { cursor: btoa(JSON.stringify({ created_at: 'x' })) }, ['cursor']),
  inbox('cursor with a bad date', alice, { cursor: btoa(JSON.stringify(['yesterday', 'iact_x'])).replace(/=+$/, '') }, ['cursor']),
  inbox('cursor not as issued', alice, { cursor: `${btoa(JSON.stringify(['2026-04-21T09:00:00.000Z', 'iact_x']))}==` }, ['cursor']),
  inbox('huge cursor', alice, { cursor: long(5_000) }, ['cursor']),
]

describe('bad input', () => {
  it(`has at least 40 cases (${cases.length})`, () => expect(cases.length).toBeGreaterThanOrEqual(40))

  it.each(cases)('$name — refused, naming the field, with the store unchanged', async ({ call, code = 'validation_failed', path }) => {
    const counting = countingStore(memoryStore())
    const { interactions } = harness({ store: counting.store })
    const ids: Ids = {
      gate: (await interactions.create('acme', deployGate)).id,
      review: (await interactions.create('acme', { type: 'review', target_actor: alice, spec: { mode: 'select', options: options(3) } })).id,
      multi: (await interactions.create('acme', { type: 'input', target_actor: alice, spec: { mode: 'multi_select', options: options(3) } })).id,
      text: (await interactions.create('acme', { type: 'input', target_actor: alice, spec: { mode: 'input', max_length: 10 } })).id,
      group: (await interactions.create('acme', { type: 'approval', target_actor: { type: 'group', id: 'group_ops' }, spec: { mode: 'confirm' } })).id,
    }
    const before = await snapshot(counting.store, ids)
    const writesBefore = counting.writes.count

    const error = await rejection(() => call(interactions, ids))
    expect(error.code, error.message).toBe(code)
    if (code === 'validation_failed') {
      expect(error.issues.map((issue) => issue.path), error.message).toContainEqual(path)
      expect(error.message).toContain(path.length ? path.join('.') : '')
    }
    expect(counting.writes.count).toBe(writesBefore)
    expect(await snapshot(counting.store, ids)).toBe(before)
  })

  it('a refused __proto__ key pollutes nothing', async () => {
    const { interactions } = harness()
    await rejection(() => interactions.create('acme', { ...deployGate, metadata: JSON.parse('{"__proto__": {"polluted": true}}') }))
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('the stored record keeps metadata as plain JSON', async () => {
    const { interactions } = harness()
    const created: Interaction = await interactions.create('acme', { ...deployGate, metadata: { ticket: 'OPS-1', tags: ['prod'], nested: { n: 1 } } })
    expect(JSON.parse(JSON.stringify(created.metadata))).toEqual({ ticket: 'OPS-1', tags: ['prod'], nested: { n: 1 } })
  })
})
