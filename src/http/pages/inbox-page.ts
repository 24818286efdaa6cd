import type { Participant } from '../../model/actor.js'
import type { Interaction } from '../../model/interaction.js'
import type { InboxPage } from '../../service/types.js'
import { responseForm } from './controls.js'
import type { FormState } from './fields.js'
import { html, pageResponse } from './html.js'

/** What the inbox shows besides its items: a refusal at the top, and the state of the one form that was refused. */
export interface InboxView {
  notice?: string
  refused?: { id: string; state: FormState }
  /** The page's cursor, kept in each form's action so that a refused answer shows this page again, not the first. */
  cursor?: string | null
}

/** The path of a project's inbox page, and of one item's form under it. */
export const inboxPath = (project: string, id?: string) =>
  `/projects/${encodeURIComponent(project)}/inbox${id === undefined ? '' : `/${encodeURIComponent(id)}`}`

/** The inbox of `actor` in `project`: one article per pending interaction, each with the form that answers it. */
export function inboxPage(status: number, project: string, actor: Participant, page: InboxPage, view: InboxView = {}): Response {
  const at = view.cursor ? `?cursor=${encodeURIComponent(view.cursor)}` : ''
  const items = page.items.map((interaction) =>
    item(interaction, `${inboxPath(project, interaction.id)}${at}`, view.refused?.id === interaction.id ? view.refused.state : {}),
  )
  return pageResponse(
    status,
    `Inbox — ${actor.id}`,
    html`<h1>Inbox</h1><p class="meta">Signed in as ${actor.id} in ${project}.</p>
${view.notice !== undefined && html`<p class="notice" role="alert">${view.notice}</p>`}
${items.length === 0 ? html`<p>Nothing is waiting for you.</p>` : items}
${page.next_cursor !== null && html`<p><a href="${inboxPath(project)}?cursor=${encodeURIComponent(page.next_cursor)}">More</a></p>`}`,
  )
}

function item(interaction: Interaction, action: string, state: FormState) {
  const heading = `heading-${interaction.id}`
  return html`<article aria-labelledby="${heading}">
<h2 id="${heading}">${interaction.title ?? interaction.message ?? `${interaction.type} ${interaction.id}`}</h2>
${interaction.title !== undefined && interaction.message !== undefined && html`<p>${interaction.message}</p>`}
<p class="meta">${interaction.type}${interaction.target_actor.type === 'group' && html` for ${interaction.target_actor.id}`}${
    interaction.requested_by !== undefined && html`, asked by ${interaction.requested_by.id}`
  }${interaction.expires_at !== undefined && html`, open until ${interaction.expires_at}`}</p>
${responseForm(interaction, action, state)}
</article>`
}
