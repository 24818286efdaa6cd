/**
 * The behaviour every agent example must show, run against each one with its framework's scripted
 * model: the model proposes `deploy(api, 2.4.0, 3 replicas)`, a person answers the approval in the
 * service, and the interaction's signal (the callback adapter) resumes the run.
 */
import { callbackSignals, type CreateInteractionInput, type Interaction, type Signal } from '@hitl/interactions'
import { expect, it } from 'vitest'
import type { DeployInput } from '../../examples/agents/approval.js'
import { describeEachStore } from '../support/each-store.js'
import { alice, harness } from '../support/harness.js'

/** The arguments every scripted model proposes. */
export const proposed: DeployInput = { service: 'api', version: '2.4.0', replicas: 3 }

/** What the deploy tool returns: the scripted models repeat the tool's result, or the refusal, in their answer. */
export const deployed = (input: DeployInput) => `deployed ${input.service}@${input.version} with ${input.replicas} replicas`

/** What an example gives the test: a run to start, the signal handler, and a finished run's answer. */
export interface GatedAgent {
  start(runId: string, prompt: string): Promise<unknown>
  resume(signal: Signal): Promise<void>
  answer(runId: string): string | undefined | Promise<string | undefined>
}

type AgentFactory = (dependencies: {
  deploy: (input: DeployInput) => Promise<string>
  ask: (input: CreateInteractionInput) => Promise<Interaction>
}) => GatedAgent

export function describeGatedAgent(title: string, createAgent: AgentFactory) {
  describeEachStore(title, (emptyStore) => {
    async function setup() {
      const runs: DeployInput[] = []
      // Late-bound: the agent asks through the service, and the service resumes the agent.
      let resume: (signal: Signal) => Promise<void> = async () => undefined
      const { interactions } = harness({ store: await emptyStore(), signals: callbackSignals((signal) => resume(signal)) })
      const agent = createAgent({
        deploy: async (input) => (runs.push(input), deployed(input)),
        ask: (input) => interactions.create('acme', input),
      })
      resume = agent.resume
      await agent.start('run_1', 'Deploy api 2.4.0 on three replicas')
      const [approval] = (await interactions.inbox('acme', alice)).items
      return { interactions, agent, runs, approval: approval! }
    }

    it('approval — the run waits with the call as the proposal, and the tool has not run', async () => {
      const { agent, runs, approval } = await setup()
      expect(approval).toMatchObject({
        type: 'approval',
        status: 'pending',
        run_id: 'run_1',
        spec: { mode: 'confirm', proposal: { value: proposed } },
      })
      expect(runs).toEqual([])
      expect(await agent.answer('run_1')).toBeUndefined()
    })

    it('approve — the tool runs with the proposal unchanged, and the model reads its result', async () => {
      const { interactions, agent, runs, approval } = await setup()
      await interactions.respond('acme', approval.id, { actor: alice, value: { confirmed: true } })
      expect(runs).toEqual([proposed])
      expect(await agent.answer('run_1')).toContain(deployed(proposed))
      expect(await interactions.failedSignals()).toEqual([])
    })

    it("edit — the tool runs the edited arguments, not the model's", async () => {
      const { interactions, agent, runs, approval } = await setup()
      const edited = { ...proposed, replicas: 2 }
      await interactions.respond('acme', approval.id, { actor: alice, value: { confirmed: true, edited } })
      expect(runs).toEqual([edited])
      expect(await agent.answer('run_1')).toContain(deployed(edited))
    })

    it('reject — the tool never runs, and the model reads the reason', async () => {
      const { interactions, agent, runs, approval } = await setup()
      const reason = { value: 'bad_timing', text: 'release freeze until Monday' }
      await interactions.respond('acme', approval.id, { actor: alice, value: { confirmed: false, reason } })
      expect(runs).toEqual([])
      expect(await agent.answer('run_1')).toContain('release freeze until Monday')
      expect(await interactions.failedSignals()).toEqual([])
    })
  })
}
