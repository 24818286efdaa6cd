import { HttpProblem } from './problem.js'

/**
 * Refuses a post another site made the browser send. A host that authenticates by cookie would see its
 * user in it, since a browser attaches the cookie to a cross-site post too; such a post carries
 * `Sec-Fetch-Site: cross-site` (or `same-site`), or an `Origin` other than the page's. A request with
 * neither header comes from no modern browser (curl, a server), so no cookie rode along unasked.
 */
export function requireSameOrigin(request: Request, url: URL): void {
  const site = request.headers.get('sec-fetch-site')
  const origin = request.headers.get('origin')
  const crossSite = site !== null ? site !== 'same-origin' && site !== 'none' : origin !== null && origin !== url.origin
  if (crossSite) throw new HttpProblem(403, 'cross_site_request', 'This form can only be sent from its own page.')
}
