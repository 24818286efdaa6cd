/**
 * A notifier that sends each notification as one email, through a transport passed in: anything with
 * nodemailer's `sendMail(message)` fits, so this file needs no mail library of its own. Agents have
 * no mailbox: `addressOf` returns undefined for them and they are left out.
 */
import { permanentFailure, type InteractionNotification, type Notifier, type Participant } from '@hitl/interactions'

/** The part of a nodemailer transport this notifier uses. */
export interface MailTransport {
  sendMail(message: { from: string; to: string; bcc: string[]; subject: string; text: string; messageId: string }): Promise<unknown>
}

/** What the email notifier needs from the host. */
export interface EmailNotifierOptions {
  transport: MailTransport
  from: string
  /** The email address of a member, or undefined for an actor without one. */
  addressOf(recipient: Participant): Promise<string | undefined>
  /** Where a recipient opens the interaction, e.g. the host's inbox page. */
  linkTo(notification: InteractionNotification): string
}

const SUBJECTS: Record<InteractionNotification['kind'], string> = {
  assigned: 'Waiting for you',
  reminder: 'Reminder: still waiting for you',
  escalated: 'Escalated to you',
  reassigned: 'Reassigned to you',
  claim_lapsed: 'Open again: the claim lapsed',
}

/** Creates a {@link Notifier} that emails every recipient with an address. */
export function emailNotifier({ transport, from, addressOf, linkTo }: EmailNotifierOptions): Notifier {
  return {
    async notify(notification) {
      const addresses = await Promise.all(notification.recipients.map(addressOf))
      const bcc = addresses.filter((address): address is string => address !== undefined)
      if (bcc.length === 0) return
      const { interaction } = notification
      try {
        // Blind copies: the members of a group do not see one another's addresses.
        await transport.sendMail({
          from,
          to: from,
          bcc,
          subject: `${SUBJECTS[notification.kind]}: ${interaction.title ?? interaction.message ?? interaction.type}`,
          text: `${interaction.message ?? ''}\n\nOpen it: ${linkTo(notification)}`,
          // The same id on every attempt: a mail system that deduplicates on Message-ID drops a repeat.
          messageId: `<${notification.id}@notifications.invalid>`,
        })
      } catch (error) {
        // An SMTP 5xx reply (an unknown mailbox) will not succeed later: dead-letter it at once.
        const code = (error as { responseCode?: number }).responseCode
        if (code !== undefined && code >= 500) throw permanentFailure(`mail refused (${code})`, { cause: error })
        throw error
      }
    },
  }
}
