/** Markup that is already safe: built by {@link html}, so its interpolations were escaped. */
export class SafeHtml {
  constructor(readonly markup: string) {}

  toString(): string {
    return this.markup
  }
}

/** What {@link html} interpolates: text is escaped, safe markup kept, lists joined, and nothing for `false`, `null` or `undefined`. */
export type Interpolation = SafeHtml | string | number | boolean | null | undefined | readonly Interpolation[]

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** Text with every character that could open markup or end an attribute escaped. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => ENTITIES[char]!)

function render(value: Interpolation): string {
  if (value instanceof SafeHtml) return value.markup
  if (Array.isArray(value)) return value.map(render).join('')
  if (value === null || value === undefined || value === false) return ''
  return escapeHtml(String(value))
}

/** A template literal tag for HTML: every interpolated text is escaped, so data never becomes markup. */
export function html(strings: TemplateStringsArray, ...values: readonly Interpolation[]): SafeHtml {
  return new SafeHtml(strings.reduce((markup, string, index) => markup + render(values[index - 1] as Interpolation) + string))
}

// No external stylesheet or script: the page works without a build step or a second request.
const STYLE = `
body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:46rem;padding:1.5rem;color:#1b1f24}
h1{font-size:1.5rem}article{border:1px solid #d0d7de;border-radius:8px;padding:1rem 1.25rem;margin:1rem 0}
fieldset{border:0;padding:0;margin:0 0 .75rem}legend,label.field{font-weight:600;display:block;margin-bottom:.25rem}
.meta{color:#57606a;font-size:.875rem}.hint{color:#57606a;font-size:.875rem;margin:.25rem 0}
.error{color:#b3261e;font-weight:600;margin:.25rem 0}
.notice{background:#fff4e5;border:1px solid #f0b429;border-radius:8px;padding:.75rem 1rem}
button{font:inherit;padding:.4rem 1rem;margin-right:.5rem;border-radius:6px;border:1px solid #8c959f;background:#f6f8fa;cursor:pointer}
button.primary{background:#1f883d;border-color:#1a7f37;color:#fff}textarea,input[type=text]{font:inherit;width:100%;box-sizing:border-box}
:focus-visible{outline:3px solid #0969da;outline-offset:2px}[aria-invalid=true]{border-color:#b3261e}
`

/** A whole HTML document as a response with `status`, never cached and never framed by another site. */
export function pageResponse(status: number, title: string, body: SafeHtml, headers: Record<string, string> = {}): Response {
  const document = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${title}</title><style>${new SafeHtml(STYLE)}</style></head>
<body><main>${body}</main></body></html>`
  return new Response(document.markup, {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'x-frame-options': 'DENY',
      // A signed link's token is in the URL: no request the page leads to may carry it away.
      'referrer-policy': 'no-referrer',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
      ...headers,
    },
  })
}

/** A page that only says something: why a link or a form was refused, or that an answer was recorded. */
export const messagePage = (status: number, title: string, text: string, extra: SafeHtml = html``): Response =>
  pageResponse(status, title, html`<h1>${title}</h1><p>${text}</p>${extra}`)
