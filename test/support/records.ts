import type { Interaction, Participant } from '@hitl/interactions'

/** The member an approval record below is addressed to. */
export const memberA: Participant = { type: 'member', id: 'a' }

/** A stored, pending approval for member "a", to drive the machine's `step` directly. */
export const pendingApproval: Interaction<'pending'> = {
  id: 'iact_1',
  project: 'acme',
  type: 'approval',
  spec: { mode: 'confirm' },
  target_actor: memberA,
  status: 'pending',
  responses: [],
  created_at: '2026-04-21T09:00:00.000Z',
  updated_at: '2026-04-21T09:00:00.000Z',
  version: 1,
}
