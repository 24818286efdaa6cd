import type { Participant } from '../../model/actor.js'
import type { Interaction } from '../../model/interaction.js'
import { responseForm } from './controls.js'
import type { FormState } from './fields.js'
import { html, pageResponse } from './html.js'

/** The page a signed link opens: the question, who answers it, and its form, which alone acts. */
export function linkPage(status: number, interaction: Interaction, actor: Participant, action: string, state: FormState = {}): Response {
  const title = interaction.title ?? 'Your answer is requested'
  return pageResponse(
    status,
    title,
    html`<h1>${title}</h1>
${interaction.message !== undefined && html`<p>${interaction.message}</p>`}
<p class="meta">Answering as ${actor.id}${interaction.expires_at !== undefined && html`, open until ${interaction.expires_at}`}.
Nothing is recorded until you submit.</p>
${responseForm(interaction, action, state)}`,
  )
}
