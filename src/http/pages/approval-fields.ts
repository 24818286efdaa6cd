import type { Interaction } from '../../model/interaction.js'
import type { Spec } from '../../model/spec.js'
import { policyOf } from '../../machine/policies.js'
import { described, errorText, optionList, type FormState, type Ids } from './fields.js'
import { html } from './html.js'

type ConfirmSpec = Extract<Spec, { mode: 'confirm' }>

/**
 * An approval's proposal: a JSON editor prefilled with it when one response decides (what is approved
 * is what runs), or shown as it is when several do, since their answers approve the same proposal.
 */
export function proposalField(interaction: Interaction, spec: ConfirmSpec, ids: Ids, state: FormState) {
  if (spec.proposal === undefined) return false
  const proposal = JSON.stringify(spec.proposal.value, null, 2)
  if (!policyOf(interaction).decidedByOne) {
    return html`<p class="field" id="${ids.edited}">Proposal</p><pre aria-labelledby="${ids.edited}">${proposal}</pre>`
  }
  const error = state.errors?.edited
  const text = state.submitted?.get('edited') ?? proposal
  return html`<label class="field" for="${ids.edited}">Proposal (JSON)</label>
<p class="hint" id="${ids.editedHint}">Edit it before approving if needed: what you approve is what runs. Rejecting ignores it.</p>
<textarea id="${ids.edited}" name="edited" rows="${Math.min(16, proposal.split('\n').length + 1)}" spellcheck="false"${described(
    [ids.editedHint, error !== undefined && ids.editedError],
    error !== undefined,
  )}>${text}</textarea>${errorText(ids.editedError, error)}`
}

/**
 * Why a rejection is given: the spec's `reject_reasons` as a radio list and a free text, when the spec has reasons or
 * requires one. The free text is a text area, where Enter starts a new line instead of submitting the form.
 */
export function rejectionFields(spec: ConfirmSpec, ids: Ids, state: FormState) {
  if (spec.reject_reasons === undefined && spec.require_reason !== true) return false
  const error = state.errors?.reason
  const chosen = state.submitted?.get('reason')
  const invalid = error !== undefined
  return html`<fieldset${described([invalid && ids.reasonError], false)}>
<legend>Reason for rejecting${spec.require_reason === true ? ' (required to reject)' : ' (optional)'}</legend>
${spec.reject_reasons !== undefined && optionList('radio', 'reason', spec.reject_reasons, ids.reason, (value) => value === chosen, invalid)}
<label for="${ids.reasonText}">In your words</label>
<textarea id="${ids.reasonText}" name="reason_text" rows="2"${described([], invalid)}>${state.submitted?.get('reason_text') ?? ''}</textarea>
${errorText(ids.reasonError, error)}</fieldset>`
}
