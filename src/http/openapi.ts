import { z } from 'zod'
import type { ApiRoute, Operation } from './operation.js'
import { PROBLEM_CONTENT_TYPE } from './problem.js'
import { COMPONENTS } from './schemas.js'

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })

const NAMES = new Map<z.ZodType, string>(Object.entries(COMPONENTS).map(([name, schema]) => [schema, name]))

/** The `$ref` of a route's body or answer, which must be one of the shared models, so each is described once. */
function refTo(schema: z.ZodType) {
  const name = NAMES.get(schema)
  if (name === undefined) throw new Error('A route names a schema that is not one of the shared models in COMPONENTS')
  return ref(name)
}

/** What each problem status means on this API, for the document's response descriptions. */
const PROBLEM_STATUSES = {
  400: 'The path, query or body is invalid: `validation_failed` (with `issues`), `malformed_json` or `malformed_path`',
  401: 'No valid credentials for this project (`unauthenticated`)',
  403: 'The host’s `authorize` refuses the caller this action (`forbidden`), or the caller may not act now (`not_eligible`)',
  404: 'No such interaction in this project (`not_found`)',
  409: 'The interaction has changed state: `not_pending`, `already_responded`, `already_claimed` or `conflict`',
  410: 'The interaction expired (`expired`)',
  413: 'The body is larger than the handler accepts (`payload_too_large`)',
  415: 'The body is not JSON (`unsupported_media_type`)',
} as const

/**
 * The shared models as JSON Schema 2020-12, OpenAPI 3.1's own dialect, each nested model a `$ref` to its
 * component. Request and response models read alike (no defaults or transforms differ between them), so
 * one pass over the input side serves both.
 */
function componentSchemas(): Record<string, object> {
  const registry = z.registry<{ id: string }>()
  for (const [id, schema] of Object.entries(COMPONENTS)) registry.add(schema, { id })
  const { schemas } = z.toJSONSchema(registry, { io: 'input', unrepresentable: 'any', uri: (id) => ref(id).$ref })
  // `$id` and `$schema` would make every component a document of its own, which breaks `$ref` resolution in some tools.
  return Object.fromEntries(Object.entries(schemas).map(([id, { $id, $schema, ...schema }]) => [id, schema]))
}

function problemStatuses(operation: Operation): number[] {
  const statuses = new Set<number>(operation.problems)
  if (operation.authenticated !== false) for (const status of [400, 401, 403]) statuses.add(status)
  if (operation.body) for (const status of [400, 413, 415]) statuses.add(status)
  if (operation.query) statuses.add(400)
  return [...statuses].sort()
}

function parametersOf(path: string, operation: Operation) {
  const inPath = [...path.matchAll(/:(\w+)/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: { type: 'string' } }))
  const inQuery = Object.entries(operation.query?.shape ?? {}).map(([name, schema]) => ({
    name,
    in: 'query',
    required: false,
    schema: z.toJSONSchema(schema as z.ZodType, { io: 'input' }),
  }))
  return [...inPath, ...inQuery].map(
    ({ schema: { $schema, ...schema }, ...parameter }: { schema: Record<string, unknown> } & Record<string, unknown>) => ({
      ...parameter,
      schema,
    }),
  )
}

function operationObject(route: ApiRoute) {
  const { operation } = route
  const problems = problemStatuses(operation)
  const parameters = parametersOf(route.path, operation)
  return {
    operationId: operation.operationId,
    summary: operation.summary,
    ...(operation.authenticated === false && { security: [] }),
    ...(parameters.length > 0 && { parameters }),
    ...(operation.body && {
      requestBody: { required: operation.bodyRequired ?? false, content: { 'application/json': { schema: refTo(operation.body) } } },
    }),
    responses: {
      [operation.status]: {
        description: operation.summary,
        ...(operation.status === 201 && {
          headers: { Location: { description: 'The URL of the interaction', schema: { type: 'string' } } },
        }),
        content: {
          'application/json': { schema: operation.response ? refTo(operation.response) : { type: 'object', additionalProperties: true } },
        },
      },
      ...Object.fromEntries(
        problems.map((status) => [
          status,
          {
            description: PROBLEM_STATUSES[status as keyof typeof PROBLEM_STATUSES],
            content: { [PROBLEM_CONTENT_TYPE]: { schema: ref('Problem') } },
          },
        ]),
      ),
    },
  }
}

// Per route table, since building the schemas is costly and the table never changes.
const built = new WeakMap<readonly ApiRoute[], object>()

/**
 * The OpenAPI 3.1 document of `routes`, generated from the zod schemas they name: a path per route (`:id`
 * written `{id}`), the shared models under `components.schemas`, problem details as a component, and bearer
 * authentication on every route that asks `authenticate`. Built once per table, on first use.
 */
export function openApiDocument(routes: readonly ApiRoute[]): object {
  const document = built.get(routes) ?? {
    openapi: '3.1.0',
    info: {
      title: '@hitl/interactions',
      version: '1',
      description: 'Human-in-the-loop interactions: create them, answer them, and read inboxes and histories.',
    },
    security: [{ bearer: [] }],
    paths: routes.reduce<Record<string, Record<string, unknown>>>((paths, route) => {
      const path = route.path.replace(/:(\w+)/g, '{$1}')
      paths[path] = { ...paths[path], [route.method.toLowerCase()]: operationObject(route) }
      return paths
    }, {}),
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'Whatever credentials the host’s `authenticate` accepts' },
      },
    },
  }
  built.set(routes, document)
  return document
}
