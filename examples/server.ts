/**
 * The HTTP surface on Node's own `http` server: the JSON API, signed one-click links and the inbox
 * page, over the embedded memory store (PostgreSQL when DATABASE_URL is set, migrated on start).
 * Workflows call the API with `Authorization: Bearer $HITL_API_KEY`; people sign in on a
 * development-only page that picks who they are. A timer runs the sweep (expiry, claims, escalation)
 * and delivers the outbox; the linked runs' signals are printed.
 *
 * Run it with `npm run serve` (PORT, HOST, HITL_API_KEY, HITL_LINK_SECRET and DATABASE_URL are read
 * from the environment) and open the address it prints.
 */
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { pathToFileURL } from 'node:url'
import { getRequestListener } from '@hono/node-server'
import {
  callbackSignals,
  createInteractions,
  memoryStore,
  type Interaction,
  type InteractionStore,
  type Interactions,
  type Participant,
  type Signal,
} from '@hitl/interactions'
import { createHttpHandler, createResponseLink } from '@hitl/interactions/http'

const PROJECT = 'acme'
const PEOPLE = [
  { type: 'member', id: 'user_alice', name: 'Alice' },
  { type: 'member', id: 'user_bob', name: 'Bob' },
  { type: 'member', id: 'user_carol', name: 'Carol' },
] as const
const [alice, bob] = PEOPLE.map(({ type, id }) => ({ type, id }) as Participant) as [Participant, Participant]
/** Who the API key acts as: the service that runs the workflows. */
const WORKFLOWS: Participant = { type: 'agent', id: 'workflows' }
const SESSION_COOKIE = 'hitl_dev_actor'

/** Options of {@link startServer}. */
export interface ServerOptions {
  /** 0 picks a free port. */
  port?: number
  host?: string
  /** The service's clock; a test fixes it so the seeded data and the page are the same every run. */
  clock?: () => Date
  /** The store to serve; by default the memory store, or PostgreSQL when DATABASE_URL is set. */
  store?: InteractionStore
  apiKey?: string
  linkSecret?: string
  /** How often the sweep and the delivery run, in milliseconds. */
  tickMs?: number
  log?: (line: string) => void
}

async function openStore(clock: boolean): Promise<{ store: InteractionStore; close: () => Promise<void> }> {
  if (!process.env.DATABASE_URL) return { store: memoryStore(), close: async () => {} }
  const { default: pg } = await import('pg')
  const { migrate, postgresStore } = await import('@hitl/interactions/postgres')
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
  await migrate(pool)
  // A fixed test clock must rule the database too; a real deployment keeps the database's.
  return { store: postgresStore({ pool, ...(clock && { clock: 'service' as const }) }), close: () => pool.end() }
}

/** The demo's pending work: Alice's deploy gate from the product description, Bob's release checks, and a group item. */
async function seed(interactions: Interactions, now: Date) {
  const tomorrow = new Date(now.getTime() + 25 * 60 * 60_000).toISOString()
  const deployGate = await interactions.create(PROJECT, {
    type: 'approval',
    run_id: 'run_01abc',
    topic: 'deploy-gate',
    target_actor: alice,
    message: 'Approve deployment of service-api to production?',
    spec: { mode: 'confirm' },
    expires_at: tomorrow,
  })
  const canary = await interactions.create(PROJECT, {
    type: 'review',
    target_actor: alice,
    title: 'Canary region',
    message: 'Where should the service-api canary run first?',
    spec: {
      mode: 'select',
      options: [
        { value: 'eu-west-1', label: 'Europe (Ireland)' },
        { value: 'us-east-1', label: 'US East (Virginia)' },
      ],
      default_value: 'eu-west-1',
    },
  })
  const releaseChecks = await interactions.create(PROJECT, {
    type: 'input',
    run_id: 'run_02rel',
    topic: 'release-checks',
    target_actor: bob,
    requested_by: WORKFLOWS,
    title: 'Release checks',
    message: 'Which checks must pass before release 2.4 ships? Pick at least two.',
    spec: {
      mode: 'multi_select',
      options: [
        { value: 'lint', label: 'Lint' },
        { value: 'unit', label: 'Unit tests' },
        { value: 'e2e', label: 'Browser tests', description: 'about 10 minutes' },
        { value: 'security', label: 'Dependency audit' },
      ],
      min_selections: 2,
    },
    expires_at: tomorrow,
  })
  const incidentNote = await interactions.create(PROJECT, {
    type: 'input',
    target_actor: { type: 'group', id: 'group_ops' },
    routing_policy: 'first_responder',
    title: 'Status page note',
    message: 'Summarise last night’s incident for the public status page.',
    spec: { mode: 'input', multiline: true, placeholder: 'What happened, and what we changed', max_length: 280 },
  })
  return { deployGate, canary, releaseChecks, incidentNote }
}

const cookieOf = (request: Request, name: string) =>
  request.headers
    .get('cookie')
    ?.split(';')
    .map((pair) => pair.trim().split('='))
    .find(([key]) => key === name)?.[1]

/** The development-only sign-in: a page that lets anyone be anyone. Never expose it beyond your machine. */
function signInPage(): Response {
  const buttons = PEOPLE.map((person) => `<button type="submit" name="actor" value="${person.id}">${person.name}</button>`).join('\n')
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in (development only)</title></head>
<body style="font:16px system-ui;max-width:40rem;margin:2rem auto"><h1>Sign in (development only)</h1>
<p><strong>Development only:</strong> this page lets anyone act as anyone. A real host authenticates people its own way.</p>
<form method="post" action="/dev/sign-in"><fieldset><legend>Sign in as</legend>${buttons}</fieldset></form></body></html>`
  return new Response(body, { headers: { 'content-type': 'text/html; charset=utf-8' } })
}

async function signIn(request: Request): Promise<Response> {
  const id = new URLSearchParams(await request.text()).get('actor')
  if (!PEOPLE.some((person) => person.id === id)) return signInPage()
  return new Response(null, {
    status: 303,
    headers: { location: `/projects/${PROJECT}/inbox`, 'set-cookie': `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax` },
  })
}

/**
 * Starts the demo server and seeds it; `signals` collects what the linked runs received, and
 * `linkFor` signs a one-click link for one of the seeded interactions.
 */
export async function startServer(options: ServerOptions = {}) {
  const clock = options.clock ?? (() => new Date())
  const log = options.log ?? (() => {})
  const apiKey = options.apiKey ?? process.env.HITL_API_KEY ?? randomBytes(16).toString('hex')
  const linkSecret = options.linkSecret ?? process.env.HITL_LINK_SECRET ?? randomBytes(24).toString('hex')
  const { store, close: closeStore } = options.store
    ? { store: options.store, close: async () => {} }
    : await openStore(options.clock !== undefined)
  const signals: Signal[] = []
  const interactions = createInteractions({
    store,
    clock,
    directory: { membersOf: async () => [...PEOPLE.map(({ type, id }) => ({ type, id }) as Participant)] },
    signals: callbackSignals((signal) => {
      signals.push(signal)
      log(`run ${signal.run_id} resumed on "${signal.topic}": status=${signal.status}${signal.outcome ? ` outcome=${signal.outcome}` : ''}`)
    }),
  })
  const handler = createHttpHandler(interactions, {
    authenticate(request) {
      if (request.headers.get('authorization') === `Bearer ${apiKey}`) return { actor: WORKFLOWS }
      const id = cookieOf(request, SESSION_COOKIE)
      return PEOPLE.some((person) => person.id === id) ? { actor: { type: 'member', id: id! } } : null
    },
    links: { secret: linkSecret },
    clock,
  })
  const server = createServer(
    getRequestListener(async (request) => {
      const { pathname } = new URL(request.url)
      if (pathname === '/') return Response.redirect(new URL('/dev/sign-in', request.url), 303)
      if (pathname === '/dev/sign-in') return request.method === 'POST' ? signIn(request) : signInPage()
      return handler(request)
    }),
  )
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve))
  const url = `http://${options.host ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`
  const seeded = await seed(interactions, clock())
  const tick = setInterval(() => {
    interactions
      .sweep()
      .then(() => interactions.deliverSignals())
      .catch((error: unknown) => log(`sweep or delivery failed: ${String(error)}`))
  }, options.tickMs ?? 5_000)
  return {
    url,
    signals,
    interactions,
    seeded,
    linkFor: (interaction: Interaction, actor: Participant) =>
      createResponseLink(interaction, { actor, baseUrl: url, secret: linkSecret, clock }),
    apiKey,
    async close() {
      clearInterval(tick)
      server.closeAllConnections()
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())))
      await closeStore()
    },
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const server = await startServer({
    port: Number(process.env.PORT ?? 3000),
    host: process.env.HOST ?? '127.0.0.1',
    log: (line) => console.log(`${new Date().toISOString()}  ${line}`),
  })
  const link = await server.linkFor(server.seeded.deployGate, alice)
  console.log(`Inbox: open ${server.url}/ and sign in (development only) as Alice, Bob or Carol.`)
  // A key given in the environment stays out of the log; a generated one has to be shown to be usable.
  const key = process.env.HITL_API_KEY ? '$HITL_API_KEY' : server.apiKey
  console.log(
    `API:   curl -H "Authorization: Bearer ${key}" ${server.url}/v1/projects/${PROJECT}/interactions/${server.seeded.deployGate.id}`,
  )
  console.log(`Link:  Alice's one-click link to the deploy gate: ${link}`)
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.log(`${signal}: stopping`)
      void server.close().then(() => process.exit(0))
    })
  }
}
