import { isInteractionError, LIMITS, type Actor, type Interaction } from '@hitl/interactions'
import { describe, expect, it } from 'vitest'
import { encodeCursor } from '../../src/service/cursor.js'
import { alice, bob, carol, deployGate, harness, rejection } from '../support/harness.js'
import { countingStore, describeEachStore, snapshot } from '../support/each-store.js'

type Service = ReturnType<typeof harness>['interactions']
type Ids = { gate: string; review: string; multi: string; text: string; group: string }

const options = (count: number) => Array.from({ length: count }, (_, i) => ({ value: `v${i}`, label: `V${i}` }))
const nested = (depth: number): Record<string, unknown> => (depth === 0 ? { leaf: true } : { level: nested(depth - 1) })
const long = (length: number) => 'x'.repeat(length)
/** Half an emoji, as a UI leaves it when it cuts text at a UTF-16 length. */
const HALF = '\uD83D'
const base64Url = (value: unknown) => btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
/** Directory answers the host gets wrong, by group id. */
const badGroups: Record<string, Actor[]> = {
  group_half_emoji: [{ type: 'member', id: `user_${HALF}` }],
  group_nul: [{ type: 'member', id: 'user_\u0000' }],
  group_padded: [{ type: 'member', id: ' user_alice' }],
}
const groupAsk = { type: 'approval', spec: { mode: 'confirm' }, target_actor: { type: 'group', id: 'group_ops' } } as const
const escalating = (input: object, ...escalation: object[]) => ({ ...input, escalation })
const newMembers = (count: number) => Array.from({ length: count }, (_, i) => ({ type: 'member', id: `user_${i}` }))
const select = (options: unknown, extra: object = {}) => ({
  type: 'review',
  target_actor: alice,
  spec: { mode: 'select', options, ...extra },
})

type Case = { name: string; call: (svc: Service, ids: Ids) => Promise<unknown>; code?: string; path: (string | number)[] }
const create = (name: string, input: unknown, path: (string | number)[], code = 'validation_failed'): Case => ({
  name: `create: ${name}`,
  call: (svc) => svc.create('acme', input as never),
  path,
  code,
})
const respond = (name: string, id: keyof Ids, input: unknown, path: (string | number)[], code = 'validation_failed'): Case => ({
  name: `respond: ${name}`,
  call: (svc, ids) => svc.respond('acme', ids[id], input as never),
  path,
  code,
})
const reassign = (name: string, id: keyof Ids, input: unknown, path: (string | number)[], code = 'validation_failed'): Case => ({
  name: `reassign: ${name}`,
  call: (svc, ids) => svc.reassign('acme', ids[id], input as never),
  path,
  code,
})
const inbox = (name: string, actor: unknown, opts: unknown, path: (string | number)[]): Case => ({
  name: `inbox: ${name}`,
  call: (svc) => svc.inbox('acme', actor as never, opts as never),
  path,
})
const project = (name: string, value: string): Case[] => [
  { name: `create: project ${name}`, call: (svc) => svc.create(value, deployGate), path: ['project'] },
  { name: `get: project ${name}`, call: (svc, ids) => svc.get(value, ids.gate), path: ['project'] },
  {
    name: `respond: project ${name}`,
    call: (svc, ids) => svc.respond(value, ids.gate, { actor: alice, value: { confirmed: true } }),
    path: ['project'],
  },
  { name: `claim: project ${name}`, call: (svc, ids) => svc.claim(value, ids.group, alice), path: ['project'] },
  { name: `inbox: project ${name}`, call: (svc) => svc.inbox(value, alice), path: ['project'] },
]
/** A cursor from a real first page of alice's inbox, then used as `use` says. */
const issuedCursor = (name: string, use: (svc: Service, cursor: string | null) => Promise<unknown>): Case => ({
  name: `inbox: ${name}`,
  call: async (svc) => use(svc, (await svc.inbox('acme', alice, { limit: 1 })).next_cursor),
  path: ['cursor'],
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
  create('too many options', { type: 'review', target_actor: alice, spec: { mode: 'select', options: options(LIMITS.options + 1) } }, [
    'spec',
    'options',
  ]),
  create('empty option value', { type: 'review', target_actor: alice, spec: { mode: 'select', options: [{ value: '', label: 'A' }] } }, [
    'spec',
    'options',
    0,
    'value',
  ]),
  create(
    'duplicate option values',
    { type: 'review', target_actor: alice, spec: { mode: 'select', options: [...options(2), ...options(1)] } },
    ['spec', 'options', 2, 'value'],
  ),
  create(
    'default_value not an option',
    { type: 'review', target_actor: alice, spec: { mode: 'select', options: options(2), default_value: 'zz' } },
    ['spec', 'default_value'],
  ),
  create(
    'duplicate default_values',
    { type: 'input', target_actor: alice, spec: { mode: 'multi_select', options: options(2), default_values: ['v0', 'v0'] } },
    ['spec', 'default_values', 1],
  ),
  create('default_confirmed a string', { ...deployGate, spec: { mode: 'confirm', default_confirmed: 'y' } }, ['spec', 'default_confirmed']),
  create(
    'default_text over max_length',
    { type: 'input', target_actor: alice, spec: { mode: 'input', default_text: 'abcd', max_length: 3 } },
    ['spec', 'default_text'],
  ),
  create('past expires_at', { ...deployGate, expires_at: '2026-04-20T10:00:00Z' }, ['expires_at']),
  create('malformed expires_at', { ...deployGate, expires_at: '2026-13-45T99:00:00Z' }, ['expires_at']),
  create('expires_at as a Date object', { ...deployGate, expires_at: new Date('2026-04-22T10:00:00Z') }, ['expires_at']),
  create('__proto__ key in metadata', { ...deployGate, metadata: JSON.parse('{"__proto__": {"admin": true}}') }, ['metadata', '__proto__']),
  create('nested constructor key in metadata', { ...deployGate, metadata: { a: { constructor: { prototype: 1 } } } }, [
    'metadata',
    'a',
    'constructor',
  ]),
  create('function in metadata', { ...deployGate, metadata: { run: () => 1 } }, ['metadata', 'run']),
  create('BigInt in metadata', { ...deployGate, metadata: { n: 10n } }, ['metadata', 'n']),
  create('Date in metadata', { ...deployGate, metadata: { when: new Date() } }, ['metadata', 'when']),
  create('NaN in metadata', { ...deployGate, metadata: { n: Number.NaN } }, ['metadata', 'n']),
  create('metadata over the size limit', { ...deployGate, metadata: { blob: long(LIMITS.metadataBytes) } }, ['metadata']),
  create('metadata nested too deep', { ...deployGate, metadata: nested(LIMITS.metadataDepth + 1) }, [
    'metadata',
    ...Array<string>(LIMITS.metadataDepth + 1).fill('level'),
  ]),
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
  {
    name: 'respond: unknown id',
    call: (svc) => svc.respond('acme', 'iact_nope', { actor: alice, value: { confirmed: true } }),
    code: 'not_found',
    path: [],
  },
  {
    name: 'respond: id not a string',
    call: (svc) => svc.respond('acme', { id: 1 } as never, { actor: alice, value: { confirmed: true } }),
    path: ['id'],
  },
  { name: 'claim: actor without id', call: (svc, ids) => svc.claim('acme', ids.group, { type: 'member' } as never), path: ['actor', 'id'] },
  {
    name: 'claim: actor with extra fields',
    call: (svc, ids) => svc.claim('acme', ids.group, { ...alice, role: 'admin' } as never),
    path: ['actor'],
  },
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

  // Text that PostgreSQL could not keep as given: lone surrogates and NUL, wherever a string goes.
  ...project('with a lone surrogate', `acme${HALF}`),
  ...project('with a lone surrogate inside', `acme${HALF}x`),
  ...project('with NUL', 'acme\u0000'),
  ...project('with a trailing space', 'acme '),
  ...project('with a leading tab', '\tacme'),
  create('lone surrogate in the target id', { ...deployGate, target_actor: { type: 'member', id: `user_${HALF}` } }, [
    'target_actor',
    'id',
  ]),
  create('lone surrogate in run_id', { ...deployGate, run_id: `run_${HALF}` }, ['run_id']),
  create('lone surrogate in topic', { ...deployGate, topic: `\uDC00gate` }, ['topic']),
  create('lone surrogate in idempotency_key', { ...deployGate, idempotency_key: `key${HALF}` }, ['idempotency_key']),
  create('lone surrogate in the title', { ...deployGate, title: `Ship it ${HALF}` }, ['title']),
  create('lone surrogate in the message', { ...deployGate, message: `Approve? ${HALF}` }, ['message']),
  create('lone surrogate in requested_by', { ...deployGate, requested_by: { type: 'agent', id: `bot${HALF}` } }, ['requested_by', 'id']),
  create('lone surrogate in a metadata key', { ...deployGate, metadata: { [`k${HALF}`]: 1 } }, ['metadata', `k${HALF}`]),
  create('lone surrogate in a nested metadata value', { ...deployGate, metadata: { a: { b: [`x${HALF}`] } } }, ['metadata', 'a', 'b', 0]),
  create('lone surrogate in an option value', select([{ value: `v${HALF}`, label: 'V' }]), ['spec', 'options', 0, 'value']),
  create('lone surrogate in an option label', select([{ value: 'v', label: `V${HALF}` }]), ['spec', 'options', 0, 'label']),
  create('lone surrogate in an option description', select([{ value: 'v', label: 'V', description: HALF }]), [
    'spec',
    'options',
    0,
    'description',
  ]),
  create('lone surrogate in default_value', select([{ value: 'v', label: 'V' }], { default_value: `v${HALF}` }), ['spec', 'default_value']),
  create('lone surrogate in the placeholder', { type: 'input', target_actor: alice, spec: { mode: 'input', placeholder: HALF } }, [
    'spec',
    'placeholder',
  ]),
  create('lone surrogate in default_text', { type: 'input', target_actor: alice, spec: { mode: 'input', default_text: HALF } }, [
    'spec',
    'default_text',
  ]),
  create('NUL character in the title', { ...deployGate, title: '\u0000' }, ['title']),
  create('NUL character in an option label', select([{ value: 'v', label: 'V\u0000' }]), ['spec', 'options', 0, 'label']),
  create('target id with surrounding spaces', { ...deployGate, target_actor: { type: 'member', id: ' user_alice ' } }, [
    'target_actor',
    'id',
  ]),
  create('idempotency_key with a trailing newline', { ...deployGate, idempotency_key: 'key\n' }, ['idempotency_key']),
  create('option value with a leading space', select([{ value: ' v', label: 'V' }]), ['spec', 'options', 0, 'value']),
  create(
    'group whose directory answers a lone surrogate',
    { ...deployGate, target_actor: { type: 'group', id: 'group_half_emoji' } },
    [0, 'id'],
    'configuration',
  ),
  create(
    'group whose directory answers NUL',
    { ...deployGate, target_actor: { type: 'group', id: 'group_nul' } },
    [0, 'id'],
    'configuration',
  ),
  create(
    'group whose directory answers a padded id',
    { ...deployGate, target_actor: { type: 'group', id: 'group_padded' } },
    [0, 'id'],
    'configuration',
  ),
  respond('lone surrogate in the text', 'text', { actor: alice, value: { text: `ok ${HALF}` } }, ['value', 'text']),
  respond('lone surrogate in the comment', 'gate', { actor: alice, value: { confirmed: true }, comment: `fine ${HALF}` }, ['comment']),
  respond('lone surrogate in the select value', 'review', { actor: alice, value: { value: `v0${HALF}` } }, ['value', 'value']),
  respond('lone surrogate in a multi_select value', 'multi', { actor: alice, value: { values: ['v0', HALF] } }, ['value', 'values', 1]),
  respond('lone surrogate in a value key', 'gate', { actor: alice, value: { [HALF]: true } }, ['value', HALF]),
  respond('lone surrogate in the actor id', 'gate', { actor: { type: 'member', id: `user_alice${HALF}` }, value: { confirmed: true } }, [
    'actor',
    'id',
  ]),
  respond('actor id with a trailing space', 'gate', { actor: { type: 'member', id: 'user_alice ' }, value: { confirmed: true } }, [
    'actor',
    'id',
  ]),
  { name: 'get: id with a lone surrogate', call: (svc, ids) => svc.get('acme', `${ids.gate}${HALF}`), path: ['id'] },
  { name: 'get: id with NUL', call: (svc, ids) => svc.get('acme', `${ids.gate}\u0000`), path: ['id'] },
  { name: 'get: id too long', call: (svc) => svc.get('acme', long(LIMITS.identifier + 1)), path: ['id'] },
  {
    name: 'claim: actor id with a lone surrogate',
    call: (svc, ids) => svc.claim('acme', ids.group, { type: 'member', id: `user_bob${HALF}` }),
    path: ['actor', 'id'],
  },
  {
    name: 'release: actor id with a leading space',
    call: (svc, ids) => svc.release('acme', ids.group, { type: 'member', id: ' user_bob' }),
    path: ['actor', 'id'],
  },
  inbox('actor id with a lone surrogate', { type: 'member', id: `user_alice${HALF}` }, {}, ['actor', 'id']),
  { name: 'failedSignals: after with a lone surrogate', call: (svc) => svc.failedSignals({ after: HALF }), path: ['after'] },
  { name: 'retrySignal: id with NUL', call: (svc) => svc.retrySignal('iact_x:completed\u0000'), path: ['id'] },

  // Dates every store can keep and order.
  create('expires_at past year 9999 in UTC', { ...deployGate, expires_at: '9999-12-31T23:59:59-05:00' }, ['expires_at']),
  create('expires_at just past the range', { ...deployGate, expires_at: '+010000-01-01T00:00:00Z' }, ['expires_at']),

  // Cursors inbox did not issue for this project and actor.
  inbox('cursor that is not base64', alice, { cursor: '!!!' }, ['cursor']),
  inbox('cursor with NUL', alice, { cursor: 'abc\u0000' }, ['cursor']),
  inbox('cursor with a lone surrogate', alice, { cursor: `abc${HALF}` }, ['cursor']),
  inbox('cursor that is not UTF-8', alice, { cursor: btoa('\u00ff\u00fe').replace(/=+$/, '') }, ['cursor']),
  inbox('cursor of the previous format', alice, { cursor: base64Url(['2026-04-21T09:00:00.000Z', 'iact_x']) }, ['cursor']),
  inbox('cursor of the previous format in year 0', alice, { cursor: base64Url(['0000-01-01T00:00:00.000Z', 'iact_x']) }, ['cursor']),
  inbox('cursor for a position never issued', alice, { cursor: base64Url(['2026-04-21T09:00:00.000Z', 'iact_x', '0123456789abcdef']) }, [
    'cursor',
  ]),
  inbox(
    'cursor with a checksum but a date PostgreSQL cannot take',
    alice,
    {
      cursor: encodeCursor({ project: 'acme', actor: alice }, { created_at: '+275760-09-13T00:00:00.000Z', id: 'iact_x' }),
    },
    ['cursor'],
  ),
  inbox(
    'cursor with a checksum but an odd id',
    alice,
    { cursor: encodeCursor({ project: 'acme', actor: alice }, { created_at: '2026-04-21T09:00:00.000Z', id: 'iact\u0000' }) },
    ['cursor'],
  ),
  // Quorum and self-approval: impossible groups are refused at creation, against the snapshot.
  create('quorum without its policy', { ...deployGate, target_actor: { type: 'group', id: 'group_ops' }, quorum: { required: 1 } }, [
    'quorum',
  ]),
  create('quorum policy without quorum', { ...deployGate, target_actor: { type: 'group', id: 'group_ops' }, routing_policy: 'quorum' }, [
    'quorum',
  ]),
  create(
    'quorum above the snapshot',
    { ...deployGate, target_actor: { type: 'group', id: 'group_ops' }, routing_policy: 'quorum', quorum: { required: 9 } },
    ['quorum', 'required'],
  ),
  create(
    'quorum of a fraction',
    { ...deployGate, target_actor: { type: 'group', id: 'group_ops' }, routing_policy: 'quorum', quorum: { required: 1.5 } },
    ['quorum', 'required'],
  ),
  create('approval only its requester could answer', { ...deployGate, requested_by: alice }, ['requested_by']),
  create('allow_self_response not a boolean', { ...deployGate, allow_self_response: 'yes' }, ['allow_self_response']),
  // Claim timeouts and escalation: ISO 8601 durations, steps in order before expires_at, actions that fit the target.
  create('claim_timeout not a duration', { ...groupAsk, claim_timeout: 'thirty minutes' }, ['claim_timeout']),
  create('claim_timeout of zero', { ...groupAsk, claim_timeout: 'PT0M' }, ['claim_timeout']),
  create('claim_timeout of a century', { ...groupAsk, claim_timeout: 'P100Y' }, ['claim_timeout']),
  create('claim_timeout too large for a date', { ...groupAsk, claim_timeout: `PT${'9'.repeat(30)}S` }, ['claim_timeout']),
  create('claim_timeout with a fraction', { ...groupAsk, claim_timeout: 'PT1.5H' }, ['claim_timeout']),
  create('claim_timeout with T and no time', { ...groupAsk, claim_timeout: 'P1DT' }, ['claim_timeout']),
  create('claim_timeout on a member target', { ...deployGate, claim_timeout: 'PT30M' }, ['claim_timeout']),
  create('claim_timeout on an all_members group', { ...groupAsk, routing_policy: 'all_members', claim_timeout: 'PT30M' }, [
    'claim_timeout',
  ]),
  create('escalation step after a bare P', escalating(deployGate, { after: 'P', action: 'remind' }), ['escalation', 0, 'after']),
  create('escalation step with an unknown action', escalating(deployGate, { after: 'PT1H', action: 'page' }), ['escalation', 0, 'action']),
  create(
    'escalation steps out of order',
    escalating(deployGate, { after: 'PT2H', action: 'remind' }, { after: 'PT120M', action: 'remind' }),
    ['escalation', 1, 'after'],
  ),
  create('escalation step at expires_at', escalating(deployGate, { after: 'PT25H', action: 'remind' }), ['escalation', 0, 'after']),
  create(
    'too many escalation steps',
    escalating(deployGate, ...Array.from({ length: LIMITS.escalationSteps + 1 }, (_, i) => ({ after: `PT${i + 1}M`, action: 'remind' }))),
    ['escalation'],
  ),
  create('reassign step without to', escalating(deployGate, { after: 'PT1H', action: 'reassign' }), ['escalation', 0, 'to']),
  create('reassign step to a group', escalating(deployGate, { after: 'PT1H', action: 'reassign', to: { type: 'group', id: 'g' } }), [
    'escalation',
    0,
    'to',
    'type',
  ]),
  create('reassign step on a group target', escalating(groupAsk, { after: 'PT1H', action: 'reassign', to: bob }), [
    'escalation',
    0,
    'action',
  ]),
  create('add_members step with no members', escalating(groupAsk, { after: 'PT1H', action: 'add_members', members: [] }), [
    'escalation',
    0,
    'members',
  ]),
  create(
    'add_members steps growing the group past the limit',
    // With group_ops's three members, one more than the limit.
    escalating(groupAsk, { after: 'PT1H', action: 'add_members', members: newMembers(LIMITS.members - 2) }),
    ['escalation'],
  ),
  create('add_members step on a member target', escalating(deployGate, { after: 'PT1H', action: 'add_members', members: [bob] }), [
    'escalation',
    0,
    'action',
  ]),
  { name: 'sweep: limit zero', call: (svc) => svc.sweep({ limit: 0 }), path: ['limit'] },
  { name: 'sweep: unknown option', call: (svc) => svc.sweep({ every: 'minute' } as never), path: [] },
  // Cancel, the run's cancel and the history take the same checks as every other call.
  { name: 'cancel: no actor', call: (svc, ids) => svc.cancel('acme', ids.gate, {} as never), path: ['actor'] },
  {
    name: 'cancel: a group as actor',
    call: (svc, ids) => svc.cancel('acme', ids.gate, { actor: { type: 'group', id: 'g' } } as never),
    path: ['actor', 'type'],
  },
  {
    name: 'cancel: reason over the limit',
    call: (svc, ids) => svc.cancel('acme', ids.gate, { actor: alice, reason: long(LIMITS.comment + 1) }),
    path: ['reason'],
  },
  {
    name: 'cancel: reason with a lone surrogate',
    call: (svc, ids) => svc.cancel('acme', ids.gate, { actor: alice, reason: `no${HALF}` }),
    path: ['reason'],
  },
  { name: 'cancel: unknown id', call: (svc) => svc.cancel('acme', 'iact_unknown', { actor: alice }), path: [], code: 'not_found' },
  { name: 'cancel: project with NUL', call: (svc, ids) => svc.cancel('acme\u0000', ids.gate, { actor: alice }), path: ['project'] },
  // Reassign checks its input before it reads the interaction; `from` on a group is checked against the record.
  reassign('no by', 'gate', { to: bob }, ['by']),
  reassign('no to', 'gate', { by: alice }, ['to']),
  reassign('a group as to', 'gate', { by: alice, to: { type: 'group', id: 'group_ops' } }, ['to', 'type']),
  reassign('from without an id', 'gate', { by: alice, to: bob, from: { type: 'member' } }, ['from', 'id']),
  reassign('reason over the limit', 'gate', { by: alice, to: bob, reason: long(LIMITS.comment + 1) }, ['reason']),
  reassign('reason with a lone surrogate', 'gate', { by: alice, to: bob, reason: `away${HALF}` }, ['reason']),
  reassign('to id with a trailing space', 'gate', { by: alice, to: { type: 'member', id: 'user_bob ' } }, ['to', 'id']),
  reassign('extra field', 'gate', { by: alice, to: bob, note: 'x' }, []),
  reassign('a group without from', 'group', { by: alice, to: { type: 'member', id: 'user_dave' } }, ['from']),
  reassign('from not the target', 'gate', { by: alice, from: bob, to: carol }, ['from'], 'conflict'),
  reassign('to already a member', 'group', { by: alice, from: bob, to: alice }, ['to'], 'conflict'),
  { name: 'reassign: unknown id', call: (svc) => svc.reassign('acme', 'iact_x', { by: alice, to: bob }), path: [], code: 'not_found' },
  {
    name: 'reassign: project with NUL',
    call: (svc, ids) => svc.reassign('acme\u0000', ids.gate, { by: alice, to: bob }),
    path: ['project'],
  },
  { name: 'cancelRun: empty run id', call: (svc) => svc.cancelRun('acme', '', { actor: alice }), path: ['run_id'] },
  {
    name: 'cancelRun: run id with a lone surrogate',
    call: (svc) => svc.cancelRun('acme', `run_${HALF}`, { actor: alice }),
    path: ['run_id'],
  },
  { name: 'history: id with NUL', call: (svc) => svc.history('acme', 'iact\u0000'), path: ['id'] },
  { name: 'history: unknown id', call: (svc) => svc.history('acme', 'iact_unknown'), path: [], code: 'not_found' },
  issuedCursor('cursor issued for another actor', (svc, cursor) => svc.inbox('acme', bob, { cursor })),
  issuedCursor('cursor issued for another project', (svc, cursor) => svc.inbox('acme-2', alice, { cursor })),
  issuedCursor('cursor with a character changed', (svc, cursor) =>
    svc.inbox('acme', alice, { cursor: `${cursor!.slice(0, -1)}${cursor!.endsWith('A') ? 'B' : 'A'}` }),
  ),
]

describeEachStore('bad input', (emptyStore) => {
  it(`has at least 40 cases (${cases.length})`, () => expect(cases.length).toBeGreaterThanOrEqual(40))

  // Titles as plain strings: vitest shortens a `$name` taken from an object to 40 characters.
  const titled = cases.map((c) => [c.name, c] as const)
  it.each(titled)('%s — refused, naming the field, with the store unchanged', async (_, { call, path, code = 'validation_failed' }) => {
    const counting = countingStore(await emptyStore())
    const { interactions } = harness({ store: counting.store, groups: badGroups })
    const ids: Ids = {
      gate: (await interactions.create('acme', deployGate)).id,
      review: (await interactions.create('acme', { type: 'review', target_actor: alice, spec: { mode: 'select', options: options(3) } }))
        .id,
      multi: (
        await interactions.create('acme', { type: 'input', target_actor: alice, spec: { mode: 'multi_select', options: options(3) } })
      ).id,
      text: (await interactions.create('acme', { type: 'input', target_actor: alice, spec: { mode: 'input', max_length: 10 } })).id,
      group: (
        await interactions.create('acme', { type: 'approval', target_actor: { type: 'group', id: 'group_ops' }, spec: { mode: 'confirm' } })
      ).id,
    }
    const before = await snapshot(counting.store, 'acme', Object.values(ids), [alice, bob])
    const writesBefore = counting.writes.count

    const error = await rejection(() => call(interactions, ids))
    // Never a driver's error (DatabaseError, TypeError, RangeError…): always the library's own.
    expect(isInteractionError(error), `${String(error)}`).toBe(true)
    expect(error.code, error.message).toBe(code)
    if (code === 'validation_failed' || code === 'configuration') {
      expect(
        error.issues.map((issue) => issue.path),
        error.message,
      ).toContainEqual(path)
      expect(error.message).toContain(path.length ? path.join('.') : '')
    }
    expect(counting.writes.count).toBe(writesBefore)
    expect(await snapshot(counting.store, 'acme', Object.values(ids), [alice, bob])).toBe(before)
  })
})

describe('bad input', () => {
  it('a refused __proto__ key pollutes nothing', async () => {
    const { interactions } = harness()
    await rejection(() => interactions.create('acme', { ...deployGate, metadata: JSON.parse('{"__proto__": {"polluted": true}}') }))
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('the stored record keeps metadata as plain JSON', async () => {
    const { interactions } = harness()
    const created: Interaction = await interactions.create('acme', {
      ...deployGate,
      metadata: { ticket: 'OPS-1', tags: ['prod'], nested: { n: 1 } },
    })
    expect(JSON.parse(JSON.stringify(created.metadata))).toEqual({ ticket: 'OPS-1', tags: ['prod'], nested: { n: 1 } })
  })
})
