/**
 * The inbox page and a signed link in headless Chromium, driven by playwright-core against the
 * example server: what a person sees and does, end to end.
 */
import { fileURLToPath } from 'node:url'
import { memoryStore } from '@hitl/interactions'
import { chromium, type Browser, type Locator, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer } from '../../examples/server.js'

// Only on request (SCREENSHOT=1), so a test run leaves the working tree as it was.
const SCREENSHOT = process.env.SCREENSHOT === '1' && fileURLToPath(new URL('../../docs/img/inbox.png', import.meta.url))

let browser: Browser
let server: Awaited<ReturnType<typeof startServer>>

beforeAll(async () => {
  // A clock that moves one second per reading from a fixed start: the seeded data, its order in the
  // inbox and so the screenshot are the same on every run.
  let readings = 0
  const clock = () => new Date(Date.parse('2026-04-21T09:00:00Z') + 1000 * readings++)
  // Its own memory store even when DATABASE_URL is set, so no earlier run's items show up.
  server = await startServer({ port: 0, clock, store: memoryStore(), tickMs: 60 * 60_000 })
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

/** A fresh browser session signed in as `name` on the development sign-in page. */
async function signIn(name: string): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 900, height: 800 } })).newPage()
  await page.goto(server.url)
  await page.getByRole('button', { name }).click()
  await page.waitForURL('**/projects/acme/inbox')
  return page
}

const item = (page: Page, heading: string) => page.getByRole('article', { name: heading })

/** Runs `act`, which posts a form, and waits for the page it leads to: the inbox it redirects to, or the form refused. */
const submitting = async (page: Page, act: () => Promise<void>) => {
  await Promise.all([page.waitForResponse((response) => response.request().isNavigationRequest() && response.status() !== 303), act()])
}

const isFocused = (locator: Locator) => locator.evaluate((element) => element === element.ownerDocument.activeElement)

describe('the inbox in Chromium', () => {
  it('Alice signs in, sees the deploy approval, approves it with the keyboard, and the linked run gets its signal', async () => {
    const page = await signIn('Alice')
    const gate = item(page, 'Approve deployment of service-api to production?')
    await gate.waitFor()
    if (SCREENSHOT) await page.screenshot({ path: SCREENSHOT, fullPage: true })
    // The deploy gate is the oldest item, so its comment is the page's first control and Approve the next.
    await page.keyboard.press('Tab')
    expect(await isFocused(gate.getByLabel('Comment (optional)'))).toBe(true)
    await page.keyboard.type('Checked the canary.')
    await page.keyboard.press('Tab')
    expect(await isFocused(gate.getByRole('button', { name: 'Approve' }))).toBe(true)
    await submitting(page, () => page.keyboard.press('Enter'))
    await gate.waitFor({ state: 'detached' })
    const history = await server.interactions.history('acme', server.seeded.deployGate.id)
    expect(history.find((event) => event.type === 'responded')?.data).toMatchObject({ comment: 'Checked the canary.' })
    expect(server.signals).toContainEqual(
      expect.objectContaining({ run_id: 'run_01abc', topic: 'deploy-gate', status: 'completed', outcome: 'approved' }),
    )
  })

  it("Bob's multi-select refuses too few choices with a visible error next to the field, then accepts two", async () => {
    const page = await signIn('Bob')
    const checks = item(page, 'Release checks')
    await checks.getByLabel('Lint').check()
    await submitting(page, () => checks.getByRole('button', { name: 'Submit' }).click())
    const refused = item(page, 'Release checks')
    const error = refused.getByText('must select at least 2 (got 1)')
    await error.waitFor()
    expect(await refused.getByRole('group', { name: 'Choose' }).getAttribute('aria-describedby')).toContain(await error.getAttribute('id'))
    expect(await refused.getByLabel('Lint').isChecked()).toBe(true)
    expect((await server.interactions.get('acme', server.seeded.releaseChecks.id)).status).toBe('pending')
    await refused.getByLabel('Unit tests').check()
    await submitting(page, () => refused.getByRole('button', { name: 'Submit' }).click())
    await item(page, 'Release checks').waitFor({ state: 'detached' })
    expect(server.signals).toContainEqual(expect.objectContaining({ run_id: 'run_02rel', status: 'completed' }))
  })

  it('Enter in the reason fields never decides: only the Reject button rejects, and nothing approved before it', async () => {
    const freeze = await server.interactions.create('acme', {
      type: 'approval',
      run_id: 'run_04frz',
      topic: 'freeze-gate',
      target_actor: { type: 'member', id: 'user_carol' },
      title: 'Lift the release freeze?',
      spec: { mode: 'confirm', reject_reasons: [{ value: 'not_now', label: 'Not now' }], require_reason: true },
    })
    const page = await signIn('Carol')
    const gate = item(page, 'Lift the release freeze?')
    await gate.getByLabel('Not now').check()
    await submitting(page, () => page.keyboard.press('Enter'))
    await page.locator(`#i-${freeze.id}-value-error`).waitFor()
    expect(await server.interactions.get('acme', freeze.id)).toMatchObject({ status: 'pending', version: freeze.version })
    expect(await gate.getByLabel('Not now').isChecked()).toBe(true)
    await gate.getByLabel('In your words').fill('after the audit')
    await page.keyboard.press('Enter')
    await submitting(page, () => gate.getByRole('button', { name: 'Reject' }).click())
    await gate.waitFor({ state: 'detached' })
    expect(await server.interactions.get('acme', freeze.id)).toMatchObject({
      status: 'completed',
      outcome: 'rejected',
      rejection_reason: { value: 'not_now', text: 'after the audit' },
    })
    const responses = (await server.interactions.history('acme', freeze.id)).filter((event) => event.type === 'responded')
    expect(responses.map((event) => event.data?.value)).toEqual([
      { confirmed: false, reason: { value: 'not_now', text: 'after the audit' } },
    ])
  })

  it('a signed link shows the confirm page and changes nothing until its form is submitted', async () => {
    const hotfix = await server.interactions.create('acme', {
      type: 'approval',
      run_id: 'run_03fix',
      topic: 'hotfix-gate',
      target_actor: { type: 'member', id: 'user_carol' },
      message: 'Ship hotfix 2.3.1 to production?',
      spec: { mode: 'confirm' },
    })
    const link = await server.linkFor(hotfix, { type: 'member', id: 'user_carol' })
    const page = await (await browser.newContext()).newPage()
    await page.goto(link)
    await page.getByText('Ship hotfix 2.3.1 to production?').waitFor()
    await page.reload()
    expect(await server.interactions.history('acme', hotfix.id)).toHaveLength(1)
    expect(await server.interactions.get('acme', hotfix.id)).toMatchObject({ status: 'pending', version: hotfix.version })
    await page.getByRole('button', { name: 'Reject' }).click()
    await page.getByText('Your answer was recorded.').waitFor()
    expect(await server.interactions.get('acme', hotfix.id)).toMatchObject({ status: 'completed', outcome: 'rejected' })
    expect(server.signals).toContainEqual(expect.objectContaining({ run_id: 'run_03fix', outcome: 'rejected' }))
  })
})
