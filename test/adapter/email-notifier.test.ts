import { createInteractions, type Participant } from '@hitl/interactions'
import { describe, expect, it } from 'vitest'
import { emailNotifier, type MailTransport } from '../../examples/adapters/email-notifier.js'

const alice = { type: 'member', id: 'user_alice' } as const
const bot = { type: 'agent', id: 'agent_reviewer' } as const
const addresses: Record<string, string> = { user_alice: 'alice@example.com', user_bob: 'bob@example.com' }

/** A transport that records every message, failing the first `failures` with an SMTP reply code. */
function fakeTransport(failures: number[] = []) {
  const sent: Parameters<MailTransport['sendMail']>[0][] = []
  const transport: MailTransport = {
    async sendMail(message) {
      const code = failures.shift()
      if (code !== undefined) throw Object.assign(new Error(`SMTP ${code}`), { responseCode: code })
      sent.push(message)
    },
  }
  return { transport, sent }
}

const service = (transport: MailTransport) =>
  createInteractions({
    clock: () => new Date('2026-04-21T09:00:00.000Z'),
    directory: { membersOf: async () => [alice, { type: 'member', id: 'user_bob' }, bot] },
    notifier: emailNotifier({
      transport,
      from: 'approvals@example.com',
      addressOf: async (recipient: Participant) => addresses[recipient.id],
      linkTo: ({ interaction }) => `https://app.example.com/inbox/${interaction.id}`,
    }),
  })

describe('the email notifier of docs/adapters.md', () => {
  it('notify — one email to every member with an address, in blind copy, keyed by the notification id', async () => {
    const mail = fakeTransport()
    const created = await service(mail.transport).create('acme', {
      type: 'approval',
      spec: { mode: 'confirm' },
      target_actor: { type: 'group', id: 'group_ops' },
      title: 'Deploy service-api',
    })
    expect(mail.sent).toEqual([
      {
        from: 'approvals@example.com',
        to: 'approvals@example.com',
        bcc: ['alice@example.com', 'bob@example.com'],
        subject: 'Waiting for you: Deploy service-api',
        text: `\n\nOpen it: https://app.example.com/inbox/${created.id}`,
        messageId: `<${created.id}:assigned:1:0@notifications.invalid>`,
      },
    ])
  })

  it('notify — an SMTP 5xx reply dead-letters the notification at once; a 4xx one is retried', async () => {
    const refused = fakeTransport([550])
    const interactions = service(refused.transport)
    await interactions.create('acme', { type: 'approval', spec: { mode: 'confirm' }, target_actor: alice })
    const dead = { status: 'dead', last_error: expect.stringContaining('mail refused (550)') }
    expect(await interactions.failedSignals()).toMatchObject([dead])

    const busy = fakeTransport([421])
    const retrying = service(busy.transport)
    await retrying.create('acme', { type: 'approval', spec: { mode: 'confirm' }, target_actor: alice })
    expect(await retrying.failedSignals()).toEqual([])
  })

  it('notify — an agent has no mailbox, and a notification only for it sends nothing', async () => {
    const mail = fakeTransport()
    await service(mail.transport).create('acme', { type: 'approval', spec: { mode: 'confirm' }, target_actor: bot })
    expect(mail.sent).toEqual([])
  })
})
