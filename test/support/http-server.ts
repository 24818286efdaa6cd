/** A real HTTP server on 127.0.0.1 for tests of the Fetch handler, on a port the system picks. */
import { createServer, type RequestListener } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { InteractionStore } from '@hitl/interactions'
import { getRequestListener } from '@hono/node-server'
import { expect } from 'vitest'
import { snapshot } from './each-store.js'
import { alice, bob, carol } from './harness.js'

/** Serves `listener` on 127.0.0.1; `close()` stops it and waits for open connections to end. */
export async function listen(listener: RequestListener) {
  const server = createServer(listener)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}

/** Serves a Fetch handler on 127.0.0.1 the way docs/http.md shows for Node: `createServer(getRequestListener(handler))`. */
export const serveFetch = (handler: (request: Request) => Promise<Response>) => listen(getRequestListener(handler))

/** A form post with the `Origin` a browser sends from a page of `url`'s own origin, unless `headers` say otherwise. */
export const postForm = (url: string, fields: Record<string, string | string[]>, headers: Record<string, string> = {}) => {
  const body = new URLSearchParams()
  for (const [name, value] of Object.entries(fields)) for (const one of [value].flat()) body.append(name, one)
  return fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(url).origin, ...headers },
    body,
  })
}

/** Runs `act` and expects the records `ids` of `acme`, their histories, the outbox and the people's inboxes to be as before. */
export async function expectUnchanged(store: InteractionStore, ids: string[], act: () => Promise<unknown>) {
  const before = await snapshot(store, 'acme', ids, [alice, bob, carol])
  await act()
  expect(await snapshot(store, 'acme', ids, [alice, bob, carol])).toBe(before)
}
