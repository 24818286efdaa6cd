import type { Interaction } from '../../model/interaction.js'
import type { Spec, SpecOption } from '../../model/spec.js'
import { html, type SafeHtml } from './html.js'

/** The two fields a response form has: the spec's control (`value`) and the optional comment. */
export type FormField = 'value' | 'comment'

/** What a form shows again after a refusal: the fields as submitted and a message next to each wrong one. */
export interface FormState {
  submitted?: URLSearchParams
  errors?: Partial<Record<FormField, string>>
}

/** Ids unique on a page that lists several interactions, so each label and message points at its own control. */
const idsOf = (interaction: Interaction) => {
  const prefix = `i-${interaction.id}`
  return {
    control: `${prefix}-value`,
    hint: `${prefix}-hint`,
    error: `${prefix}-value-error`,
    comment: `${prefix}-comment`,
    commentError: `${prefix}-comment-error`,
  }
}
type Ids = ReturnType<typeof idsOf>

/** The message under a wrong field, which its control names in `aria-describedby` so a screen reader reads it. */
const errorText = (id: string, message: string | undefined) => message !== undefined && html`<p class="error" id="${id}">${message}</p>`

/** `aria-invalid` and `aria-describedby` for a control, naming its hint and its error when it has them. */
const described = (ids: readonly (string | false | undefined)[], invalid: boolean) => {
  const names = ids.filter((id): id is string => typeof id === 'string')
  return html`${invalid && html` aria-invalid="true"`}${names.length > 0 && html` aria-describedby="${names.join(' ')}"`}`
}

/**
 * The form that answers `interaction`, posting to `action`: the control its spec's mode implies (approve
 * and reject buttons, a radio list, checkboxes, a text field or area), an optional comment, every control
 * labelled and every refusal shown next to its field. Native controls only, so the keyboard works as everywhere.
 */
export function responseForm(interaction: Interaction, action: string, state: FormState = {}): SafeHtml {
  const ids = idsOf(interaction)
  const comment = commentField(ids, state)
  if (interaction.spec.mode === 'confirm') {
    return html`<form method="post" action="${action}">${comment}${errorText(ids.error, state.errors?.value)}
<div role="group" aria-label="Decision">
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
${optionList('radio', 'value', spec.options, ids, (value) => value === chosen, error !== undefined)}
${errorText(ids.error, error)}</fieldset>`
    }
    case 'multi_select': {
      const chosen = state.submitted ? state.submitted.getAll('values') : (spec.default_values ?? [])
      const hint = selectionHint(spec.min_selections, spec.max_selections)
      return html`<fieldset${described([hint !== undefined && ids.hint, error !== undefined && ids.error], false)}><legend>Choose</legend>
${hint !== undefined && html`<p class="hint" id="${ids.hint}">${hint}</p>`}
${optionList('checkbox', 'values', spec.options, ids, (value) => chosen.includes(value), error !== undefined)}
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

/** One radio button or checkbox per option, each with its own label and the option's description beside it. */
function optionList(
  type: 'radio' | 'checkbox',
  name: string,
  options: readonly SpecOption[],
  ids: Ids,
  isChecked: (value: string) => boolean,
  invalid: boolean,
) {
  return options.map((option, index) => {
    const id = `${ids.control}-${index}`
    const description = option.description !== undefined && html` <span class="meta">${option.description}</span>`
    return html`<div><input type="${type}" id="${id}" name="${name}" value="${option.value}"${isChecked(option.value) && html` checked`}${
      invalid && html` aria-invalid="true"`
    }>
<label for="${id}">${option.label}</label>${description}</div>`
  })
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
