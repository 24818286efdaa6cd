/**
 * Resume a LangGraph thread from a signal: the graph stops at `interrupt()` on thread `run_id`, and
 * the adapter answers that interrupt, by its id, with `new Command({ resume })`. Typed with the real
 * SDK (`@langchain/langgraph`, `@langchain/core`, dev dependencies). See docs/engines.md.
 */
import { Annotation, Command, END, MemorySaver, START, StateGraph, interrupt, type StateSnapshot } from '@langchain/langgraph'
import {
  isApproved,
  permanentFailure,
  type CreateInteractionInput,
  type Interaction,
  type Signal,
  type SignalDelivery,
} from '@hitl/interactions'

/** What the graph passes to `interrupt()`, so that the adapter can find the interrupt a signal answers. */
export interface InteractionInterrupt {
  interaction_id: string
}

/** The part of a compiled graph (with a checkpointer) that the adapter uses. */
export interface ResumableGraph {
  getState(config: { configurable: { thread_id: string } }): Promise<StateSnapshot>
  invoke(input: Command, config: { configurable: { thread_id: string } }): Promise<unknown>
}

/** Resumes the thread `signal.run_id` where it waits on `signal.interaction_id`; runs it to its next stop. */
export function langgraphSignals(graph: ResumableGraph): SignalDelivery {
  return {
    async deliver(signal) {
      const config = { configurable: { thread_id: signal.run_id } }
      const state = await graph.getState(config)
      const waiting = state.tasks
        .flatMap((task) => task.interrupts)
        .find((pending) => (pending.value as Partial<InteractionInterrupt> | undefined)?.interaction_id === signal.interaction_id)
      // Keyed by interrupt id, so a late redelivery can never answer another question of the thread.
      if (waiting?.id) return void (await graph.invoke(new Command({ resume: { [waiting.id]: signal } }), config))
      if (state.next.length === 0) throw permanentFailure(`thread ${signal.run_id} is not running (finished, already resumed, or unknown)`)
      // The node may not have reached interrupt() yet, so retry; a redelivery after the thread moved on ends dead.
      throw new Error(`thread ${signal.run_id} is not waiting on interaction ${signal.interaction_id}`)
    },
  }
}

// ---- The graph side ----

const DeployState = Annotation.Root({ service: Annotation<string>, approved: Annotation<boolean>, ended: Annotation<Signal['status']> })

/** A one-node graph; `interactions` is the service (or a client of it). */
export function deployGraph(interactions: { create(project: string, input: CreateInteractionInput): Promise<Interaction> }) {
  return new StateGraph(DeployState)
    .addNode('gate', async (state, config) => {
      const thread = String(config.configurable?.thread_id)
      // A resumed node runs again from its start: the idempotency key returns the same interaction.
      const gate = await interactions.create('acme', {
        type: 'approval',
        spec: { mode: 'confirm' },
        target_actor: { type: 'member', id: 'user_alice' },
        message: `Approve deployment of ${state.service} to production?`,
        run_id: thread,
        topic: 'deploy-gate',
        idempotency_key: `${thread}:deploy-gate`,
      })
      const signal = interrupt<InteractionInterrupt, Signal>({ interaction_id: gate.id })
      // The end state travels with the answer: an expiry or a cancel is never read as a refusal's reason.
      return { approved: isApproved(signal), ended: signal.status }
    })
    .addEdge(START, 'gate')
    .addEdge('gate', END)
    .compile({ checkpointer: new MemorySaver() }) // use a durable checkpointer (e.g. PostgresSaver) in production
}
