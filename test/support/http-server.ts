/** A real HTTP server on 127.0.0.1 for tests of the Fetch handler, on a port the system picks. */
import { createServer, type RequestListener } from 'node:http'
import type { AddressInfo } from 'node:net'
import { getRequestListener } from '@hono/node-server'

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
