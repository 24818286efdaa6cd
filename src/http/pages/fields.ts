import type { Interaction } from '../../model/interaction.js'
import type { SpecOption } from '../../model/spec.js'
import { html } from './html.js'

/**
 * The fields of a response form a refusal can point at: the spec's control (`value`), an approval's
 * proposal editor (`edited`) and rejection reason (`reason`), and the optional comment.
 */
export type FormField = 'value' | 'edited' | 'reason' | 'comment'

/** What a form shows again after a refusal: the fields as submitted and a message next to each wrong one. */
export interface FormState {
  submitted?: URLSearchParams
  errors?: Partial<Record<FormField, string>>
}

/** Ids unique on a page that lists several interactions, so each label and message points at its own control. */
export const idsOf = (interaction: Interaction) => {
  const prefix = `i-${interaction.id}`
  return {
    control: `${prefix}-value`,
    hint: `${prefix}-hint`,
    error: `${prefix}-value-error`,
    comment: `${prefix}-comment`,
    commentError: `${prefix}-comment-error`,
    edited: `${prefix}-edited`,
    editedHint: `${prefix}-edited-hint`,
    editedError: `${prefix}-edited-error`,
    reason: `${prefix}-reason`,
    reasonText: `${prefix}-reason-text`,
    reasonError: `${prefix}-reason-error`,
  }
}
export type Ids = ReturnType<typeof idsOf>

/** The message under a wrong field, which its control names in `aria-describedby` so a screen reader reads it. */
export const errorText = (id: string, message: string | undefined) =>
  message !== undefined && html`<p class="error" id="${id}">${message}</p>`

/** `aria-invalid` and `aria-describedby` for a control, naming its hint and its error when it has them. */
export const described = (ids: readonly (string | false | undefined)[], invalid: boolean) => {
  const names = ids.filter((id): id is string => typeof id === 'string')
  return html`${invalid && html` aria-invalid="true"`}${names.length > 0 && html` aria-describedby="${names.join(' ')}"`}`
}

/**
 * One radio button or checkbox per option, each with its own label and the option's description beside it;
 * `required` where an answer must pick one, so the browser says so before a round trip (the server still checks).
 */
export function optionList(
  type: 'radio' | 'checkbox',
  name: string,
  options: readonly SpecOption[],
  idPrefix: string,
  isChecked: (value: string) => boolean,
  invalid: boolean,
  required = false,
) {
  return options.map((option, index) => {
    const id = `${idPrefix}-${index}`
    const description = option.description !== undefined && html` <span class="meta">${option.description}</span>`
    return html`<div><input type="${type}" id="${id}" name="${name}" value="${option.value}"${isChecked(option.value) && html` checked`}${required && html` required`}${
      invalid && html` aria-invalid="true"`
    }>
<label for="${id}">${option.label}</label>${description}</div>`
  })
}
