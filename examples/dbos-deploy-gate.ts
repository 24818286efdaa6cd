/**
 * The approval gate from the product description on a real DBOS workflow: run_01abc creates the
 * approval, suspends on "deploy-gate", and resumes when Alice approves from another service
 * instance. DBOS's tables and the interactions' tables share one PostgreSQL database.
 *
 * Run it with `DATABASE_URL=postgres://… npm run demo:dbos`; add `-- --in-transaction` to send the
 * signal inside the transaction that records Alice's answer instead of through the outbox.
 */
import { DBOS, DBOSClient } from '@dbos-inc/dbos-sdk'
import pg from 'pg'
import { createInteractions, isApproved, type Interaction, type Interactions } from '@hitl/interactions'
import { dbosSignals, waitForInteraction } from '@hitl/interactions/dbos'
import { migrate, postgresStore } from '@hitl/interactions/postgres'

const url = process.env.DATABASE_URL
if (!url) {
  console.error(
    'Set DATABASE_URL to a PostgreSQL database this demo may create the schemas "hitl" and "dbos" in, e.g.\n  DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run demo:dbos',
  )
  process.exit(1)
}
const inTransaction = process.argv.includes('--in-transaction')
const alice = { type: 'member', id: 'user_alice' } as const
const log = (line: string) => console.log(`${new Date().toISOString()}  ${line}`)

// The run's side: the process that runs DBOS workflows. Workflows are registered before launch.
let runSide: Interactions

const deployService = DBOS.registerWorkflow(
  async (service: string) => {
    const runId = DBOS.workflowID!
    // A step, so a recovered workflow does not ask twice; the idempotency key covers a crash
    // between the insert and DBOS recording the step.
    const gate = await DBOS.runStep(
      () =>
        runSide.create('acme', {
          type: 'approval',
          run_id: runId,
          topic: 'deploy-gate',
          target_actor: alice,
          message: `Approve deployment of ${service} to production?`,
          spec: { mode: 'confirm' },
          expires_at: new Date(Date.now() + 24 * 3_600_000).toISOString(),
          idempotency_key: `${runId}:deploy-gate`,
        }),
      { name: 'askForApproval' },
    )
    log(`run ${runId}: asked for approval (${gate.id}); suspended on "deploy-gate"`)
    const outcome = await waitForInteraction('deploy-gate', { timeoutSeconds: 24 * 3_600 + 300 })
    switch (outcome.status) {
      // No answer came: the question expired, was withdrawn, or the wait outlived it. None of them is consent.
      case 'expired':
      case 'cancelled':
      case 'timed_out':
        log(`run ${runId}: resumed with status ${outcome.status}; not deploying`)
        return { deployed: false, status: outcome.status }
    }
    const [answer] = outcome.signal.responses
    log(
      `run ${runId}: resumed with ${answer?.actor.id}'s answer ${JSON.stringify(answer?.value)}` +
        (answer?.comment ? ` ("${answer.comment}")` : ''),
    )
    return { deployed: isApproved(outcome.signal), status: outcome.status, by: answer?.actor.id }
  },
  { name: 'deployService' },
)

const pools: pg.Pool[] = []
const newPool = () => {
  const pool = new pg.Pool({ connectionString: url })
  pool.on('error', () => undefined) // an idle connection dropped; the pool replaces it
  pools.push(pool)
  return pool
}

let client: DBOSClient | undefined
try {
  await migrate(newPool())
  DBOS.setConfig({ name: 'hitl-deploy-gate', systemDatabaseUrl: url, logLevel: 'warn', systemDatabaseIdleTransactionTimeoutMs: 0 })
  let started = performance.now()
  await DBOS.launch()
  log(
    `DBOS launched in ${Math.round(performance.now() - started)} ms; delivery ${inTransaction ? "inside the decision's transaction" : 'through the outbox'}`,
  )
  client = await DBOSClient.create({ systemDatabaseUrl: url, systemDatabaseIdleTransactionTimeoutMs: 0 })
  runSide = createInteractions({ store: postgresStore({ pool: newPool() }), signals: dbosSignals({ client }) })

  // run_01abc once per database; a rerun gets a fresh id instead of the finished workflow's result.
  let runId = 'run_01abc'
  if (await DBOS.getWorkflowStatus(runId)) {
    runId = `run_01abc_${Date.now().toString(36)}`
    log(`run_01abc already ran on this database; starting ${runId} instead`)
  }
  const handle = await DBOS.startWorkflow(deployService, { workflowID: runId })('service-api')

  // Alice's side: another service instance (its own pool), as her UI's backend would be.
  const ui = createInteractions({ store: postgresStore({ pool: newPool() }), signals: dbosSignals({ client, inTransaction }) })
  let item: Interaction | undefined
  for (const deadline = Date.now() + 10_000; !item && Date.now() < deadline; ) {
    item = (await ui.inbox('acme', alice)).items.find((candidate) => candidate.run_id === runId)
    if (!item) await new Promise((resolve) => setTimeout(resolve, 100))
  }
  if (!item) throw new Error(`the approval of ${runId} did not reach Alice's inbox within 10 s`)
  log(`Alice's inbox: "${item.message}"`)
  started = performance.now()
  await ui.respond('acme', item.id, { actor: alice, value: { confirmed: true }, comment: 'Ship it' })
  log('Alice approved')

  const result = await handle.getResult()
  log(`run ${runId} finished ${Math.round(performance.now() - started)} ms after Alice's answer: ${JSON.stringify(result)}`)
  if (!result.deployed || result.by !== alice.id)
    throw new Error(`expected the run to deploy on Alice's approval, got ${JSON.stringify(result)}`)
} finally {
  await client?.destroy()
  await DBOS.shutdown()
  await Promise.all(pools.map((pool) => pool.end()))
}
