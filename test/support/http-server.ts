/** A Fetch handler served by Node's `http` on 127.0.0.1, the way `@hono/node-server` mounts it. */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { InteractionStore } from '@hitl/interactions'
import { getRequestListener } from '@hono/node-server'
import { expect } from 'vitest'
import { snapshot } from './each-store.js'
import { alice, bob, carol } from './harness.js'

/** Serves `handler` on a free loopback port; `close()` ends open connections too, so no test waits on a keep-alive. */
export async function listen(handler: (request: Request) => Promise<Response>) {
  const server = createServer(getRequestListener(handler))
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
