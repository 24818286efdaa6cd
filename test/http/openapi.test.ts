/**
 * The OpenAPI document: generated from the route table and the zod schemas, accepted by an independent validator,
 * usable by a client generator.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInteractions } from '@hitl/interactions'
import { createHttpHandler } from '@hitl/interactions/http'
import { Validator } from '@seriousme/openapi-schema-validator'
import openapiTS, { astToString } from 'openapi-typescript'
import ts from 'typescript'
import { beforeAll, describe, expect, it } from 'vitest'
import { apiRoutes } from '../../src/http/api-routes.js'

type Document = {
  openapi: string
  paths: Record<string, Record<string, { operationId: string; security?: unknown[]; responses: Record<string, unknown> }>>
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> }
}

async function fetchDocument() {
  const handler = createHttpHandler(createInteractions(), { authenticate: () => null })
  const response = await handler(new Request('http://localhost/v1/openapi.json'))
  expect(response.status).toBe(200)
  return (await response.json()) as Document
}

/** The type errors of a program made of the generated client types and `usage`, which imports them. */
function typeErrors(generated: string, usage: string) {
  const folder = mkdtempSync(join(process.cwd(), '.openapi-client-'))
  try {
    writeFileSync(join(folder, 'api.ts'), generated)
    writeFileSync(join(folder, 'usage.ts'), usage)
    // No ambient @types: the generated file must stand on its own, as in a client project.
    const options = {
      strict: true,
      noEmit: true,
      types: [],
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      target: ts.ScriptTarget.ES2022,
    }
    const program = ts.createProgram([join(folder, 'usage.ts')], options)
    return ts.getPreEmitDiagnostics(program).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'))
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
}

describe('GET /v1/openapi.json', () => {
  let generated: string
  beforeAll(async () => {
    // openapi-typescript's Node API, as a client project would run it on the served document.
    generated = astToString(await openapiTS((await fetchDocument()) as never))
  })

  it('is an OpenAPI 3.1 document that an independent validator accepts, served without credentials', async () => {
    const validator = new Validator()
    const result = await validator.validate(await fetchDocument())
    expect(result).toEqual({ valid: true })
    expect(validator.version).toBe('3.1')
  })

  it('lists every route of the table, and nothing else', async () => {
    const document = await fetchDocument()
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    )
    const routes = apiRoutes.map((route) => `${route.method} ${route.path.replace(/:(\w+)/g, '{$1}')}`)
    expect(documented.sort()).toEqual(routes.sort())
    expect(routes).toContain('POST /v1/projects/{project}/interactions/{id}/respond')
  })

  it('describes bodies, answers and problems by shared components, with bearer authentication', async () => {
    const document = await fetchDocument()
    const respond = document.paths['/v1/projects/{project}/interactions/{id}/respond']!.post!
    expect(respond).toMatchObject({
      operationId: 'respond',
      requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/RespondBody' } } } },
      responses: {
        200: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Interaction' } } } },
        403: { content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
        410: { content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
      },
    })
    expect(Object.keys(respond.responses).sort()).toEqual(['200', '400', '401', '403', '404', '409', '410', '413', '415'])
    expect(document.components.securitySchemes).toMatchObject({ bearer: { type: 'http', scheme: 'bearer' } })
    expect(document.paths['/v1/openapi.json']!.get!.security).toEqual([])
    // Generated from the zod schemas: the respond body is the service's respond input without its actor.
    expect(document.components.schemas.RespondBody).toMatchObject({ required: ['value'], additionalProperties: false })
    expect(Object.keys((document.components.schemas.RespondBody as { properties: object }).properties)).toEqual(['value', 'comment'])
    expect(document.components.schemas.CreateInteractionInput).toMatchObject({
      properties: { target_actor: { $ref: '#/components/schemas/Actor' } },
    })
  })

  // Each check compiles a program with the TypeScript compiler, a few seconds each.
  it('generates client types with openapi-typescript that type-check a client of every path', { timeout: 60_000 }, () => {
    const usage = `
      import type { components, paths } from './api.js'
      type Json<T> = { content: { 'application/json': T } }
      type Body<P extends keyof paths, M extends 'get' | 'post'> =
        NonNullable<paths[P][M]> extends { requestBody?: Json<infer B> } ? B : never
      type Ok<P extends keyof paths, M extends 'get' | 'post', S extends number> =
        NonNullable<paths[P][M]> extends { responses: { [K in S]: Json<infer R> } } ? R : never

      const create: Body<'/v1/projects/{project}/interactions', 'post'> = {
        type: 'approval',
        target_actor: { type: 'member', id: 'user_alice' },
        spec: { mode: 'confirm' },
        expires_at: '2026-04-22T10:00:00Z',
      }
      const created: Ok<'/v1/projects/{project}/interactions', 'post', 201> = {} as components['schemas']['Interaction']
      const status: 'pending' | 'completed' | 'expired' | 'cancelled' = created.status
      const respond: Body<'/v1/projects/{project}/interactions/{id}/respond', 'post'> = { value: { confirmed: true }, comment: 'ok' }
      const reassign: Body<'/v1/projects/{project}/interactions/{id}/reassign', 'post'> = { to: { type: 'member', id: 'user_bob' } }
      const page: Ok<'/v1/projects/{project}/inbox', 'get', 200> = { items: [], next_cursor: null }
      const inboxLimit: NonNullable<paths['/v1/projects/{project}/inbox']['get']['parameters']['query']>['limit'] = '20'
      const history: Ok<'/v1/projects/{project}/interactions/{id}/history', 'get', 200> = []
      const runs: Ok<'/v1/projects/{project}/runs/{run_id}/cancel', 'post', 200> = { cancelled: 2 }
      const problem: components['schemas']['Problem'] = { type: 't', title: 't', status: 404, detail: 'd', code: 'not_found' }
      const claimed: Ok<'/v1/projects/{project}/interactions/{id}/claim', 'post', 200>['claimed_by'] = { type: 'member', id: 'user_bob' }
      const released: Ok<'/v1/projects/{project}/interactions/{id}/release', 'post', 200> = created
      const cancelled: Ok<'/v1/projects/{project}/interactions/{id}/cancel', 'post', 200> = created
      const read: Ok<'/v1/projects/{project}/interactions/{id}', 'get', 200> = created
      const document: Ok<'/v1/openapi.json', 'get', 200> = { openapi: '3.1.0' }
      export const used = [create, status, respond, reassign, page, inboxLimit, history, runs, problem]
      export const usedToo = [claimed, released, cancelled, read, document]
    `
    expect(typeErrors(generated, usage)).toEqual([])
  })

  it('the generated types refuse a path or a field the API does not have', { timeout: 60_000 }, () => {
    const usage = `
      import type { components, paths } from './api.js'
      type Missing = paths['/v1/projects/{project}/interactions/{id}/approve']
      const record: components['schemas']['Interaction'] = {} as never
      const colour: string = record.colour
      export const used = [colour] as Missing[]
    `
    const errors = typeErrors(generated, usage)
    expect(errors.some((error) => error.includes("'/v1/projects/{project}/interactions/{id}/approve'"))).toBe(true)
    expect(errors.some((error) => error.includes("'colour'"))).toBe(true)
  })
})
