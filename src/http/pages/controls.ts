import type { Interaction } from '../../model/interaction.js'
import type { Spec } from '../../model/spec.js'
import { proposalField, rejectionFields } from './approval-fields.js'
import { described, errorText, idsOf, optionList, type FormState, type Ids } from './fields.js'
import { html, type SafeHtml } from './html.js'

/**
 * Enter in a form's field submits it with its first enabled submit button (Chromium does so from a radio button
 * too, whatever button comes first), which would approve from a reason's radio button. This first button decides
 * nothing: Enter shows the form again asking for Approve or Reject, so only a press of one of them decides.
 * Hidden, it is never focused or announced, and Tab goes from the fields to Approve and Reject as before.
 */
const NO_IMPLICIT_DECISION = html`<button type="submit" name="confirmed" value="" hidden aria-hidden="true"></button>`

/**
 * The form that answers `interaction`, posting to `action`: the control its spec's mode implies (approve
 * and reject buttons, a radio list, checkboxes, a text field or area), an optional comment, every control
 * labelled and every refusal shown next to its field. Native controls only, so the keyboard works as everywhere.
 */
export function responseForm(interaction: Interaction, action: string, state: FormState = {}): SafeHtml {
  const ids = idsOf(interaction)
  const comment = commentField(ids, state)
  if (interaction.spec.mode === 'confirm') {
    const { spec } = interaction
    return html`<form method="post" action="${action}">${proposalField(interaction, spec, ids, state)}${rejectionFields(spec, ids, state)}
${comment}${errorText(ids.error, state.errors?.value)}
<div role="group" aria-label="Decision">
${NO_IMPLICIT_DECISION}
<button type="submit" name="confirmed" value="true" class="primary">Approve</button>
<button type="submit" name="confirmed" value="false">Reject</button>
</div></form>`
  }
  return html`<form method="post" action="${action}">${control(interaction.spec, ids, state)}${comment}
<button type="submit" class="primary">Submit</button></form>`
}

function control(spec: Exclude<Spec, { mode: 'confirm' }>, ids: Ids, state: FormState): SafeHtml {
  const error = state.errors?.value
  switch (spec.mode) {
    case 'select': {
      const chosen = state.submitted ? state.submitted.get('value') : spec.default_value
      return html`<fieldset${described([error !== undefined && ids.error], false)}><legend>Choose one</legend>
${optionList('radio', 'value', spec.options, ids.control, (value) => value === chosen, error !== undefined, true)}
${errorText(ids.error, error)}</fieldset>`
    }
    case 'multi_select': {
      const chosen = state.submitted ? state.submitted.getAll('values') : (spec.default_values ?? [])
      const hint = selectionHint(spec.min_selections, spec.max_selections)
      return html`<fieldset${described([hint !== undefined && ids.hint, error !== undefined && ids.error], false)}><legend>Choose</legend>
${hint !== undefined && html`<p class="hint" id="${ids.hint}">${hint}</p>`}
${optionList('checkbox', 'values', spec.options, ids.control, (value) => chosen.includes(value), error !== undefined)}
${errorText(ids.error, error)}</fieldset>`
    }
    case 'input': {
      const text = state.submitted ? (state.submitted.get('text') ?? '') : (spec.default_text ?? '')
      const attributes = html`id="${ids.control}" name="text"${spec.placeholder !== undefined && html` placeholder="${spec.placeholder}"`}${
        spec.max_length !== undefined && html` maxlength="${spec.max_length}"`
      }${described([error !== undefined && ids.error], error !== undefined)}`
      const field = spec.multiline
        ? html`<textarea ${attributes} rows="4">${text}</textarea>`
        : html`<input type="text" ${attributes} value="${text}">`
      return html`<label class="field" for="${ids.control}">Your answer</label>${field}${errorText(ids.error, error)}`
    }
  }
}

/** The bounds of a multi-select in words; the server enforces them whatever the browser sends. */
function selectionHint(min: number | undefined, max: number | undefined): string | undefined {
  if (min !== undefined && min > 0 && max !== undefined) return `Choose at least ${min} and at most ${max}.`
  if (min !== undefined && min > 0) return `Choose at least ${min}.`
  if (max !== undefined) return `Choose at most ${max}.`
  return undefined
}

function commentField(ids: Ids, state: FormState): SafeHtml {
  const error = state.errors?.comment
  return html`<label class="field" for="${ids.comment}">Comment (optional)</label>
<textarea id="${ids.comment}" name="comment" rows="2"${described([error !== undefined && ids.commentError], error !== undefined)}>${
    state.submitted?.get('comment') ?? ''
  }</textarea>
${errorText(ids.commentError, error)}`
}
