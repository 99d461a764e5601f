import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { OIDC_CALLBACK_PATH } from '../../runtime/http/oidc.js';
import { launchBrowser, screenshot, signInWithPassword, signInWithToken } from '../kit/browser.js';
import { startOidcProvider, type TestProvider } from '../kit/oidc-provider.js';
import { freePort, removeDir, startServer, type TestServer } from '../kit/server.js';

const CLIENT_SECRET = 'salve-client-secret-0123456789abcdef';
const PASSWORDS = { alice: 'alice approves payments', bob: 'bob approves payments too', sam: 'sam searches all day' } as const;
/** Erin's groups at the provider: she writes and runs the payments team's flows, and is on its approver rota. */
const ROLE_MAP = {
  'payments-dev': [{ team: 'payments', roles: ['editor', 'operator'] }],
  'payments-oncall': [{ team: 'payments', roles: ['approver'] }],
};
const FLOW_ID = 'restart-payments-api';
/** What erin imports: run by hand → two approvals → a harmless restart. */
const FLOW = {
  format: 'salve.flow/v1',
  id: FLOW_ID,
  name: 'Restart the payments API',
  enabled: false,
  nodes: [
    {
      id: 'by_hand',
      type: 'source.manual',
      config: { samplePayload: { summary: 'Payments API answers 502 on all hosts', severity: 'critical', labels: { service: 'payments-api' } } },
      position: { x: 40, y: 120 },
    },
    { id: 'ask', type: 'approval.request', config: { message: 'Restart the payments API on all hosts?', quorum: 2 }, position: { x: 360, y: 120 } },
    { id: 'restart', type: 'action.shell', label: 'Restart the API', config: { command: ['echo', 'restarting', 'payments-api'] }, position: { x: 680, y: 120 } },
  ],
  edges: [
    { source: 'by_hand', target: 'ask' },
    { source: 'ask', sourcePort: 'approved', target: 'restart' },
  ],
};
const WIDTHS = [1440, 1024, 390];

/**
 * The issue's "Done when", in one browser against a real server (the built dist) and a real OpenID
 * provider on loopback: an admin (break-glass token) creates two teams and three people; erin signs
 * in with single sign-on (her groups make her editor, operator and approver in payments), imports a
 * flow with a two-person approval, edits, saves and runs it; sam (another team) neither sees it nor
 * may read it; erin may not approve her own run and is told why; alice and bob reach the quorum
 * from the inbox and the run finishes; the audit page names who did each step and how.
 */
describe('people and teams, from sign-in to a two-person approval', { timeout: 180_000 }, () => {
  let provider: TestProvider;
  let server: TestServer;
  let browser: Browser;
  const pages: Record<string, Page> = {};
  let executionId = '';
  let approvalId = '';

  beforeAll(async () => {
    // Salve's address goes into the provider's client (its redirect URI) before Salve starts.
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    provider = await startOidcProvider({ clients: [{ client_id: 'salve', client_secret: CLIENT_SECRET, redirect_uris: [`${origin}${OIDC_CALLBACK_PATH}`] }] });
    provider.accounts.set('erin', {
      name: 'Erin Okafor',
      preferred_username: 'erin',
      email: 'erin@example.com',
      email_verified: true,
      groups: ['payments-dev', 'payments-oncall', 'everyone'],
    });
    server = await startServer({
      port,
      env: {
        SALVE_PUBLIC_ORIGIN: origin,
        SALVE_OIDC_ISSUER: provider.issuer,
        SALVE_OIDC_CLIENT_ID: 'salve',
        SALVE_OIDC_CLIENT_SECRET: CLIENT_SECRET,
        SALVE_OIDC_SCOPES: 'openid profile email groups',
        SALVE_OIDC_ROLE_MAP: JSON.stringify(ROLE_MAP),
        SALVE_OIDC_LABEL: 'Sign in with Example SSO',
      },
    });
    expect(server.url).toBe(origin);
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await provider?.close();
    if (server) removeDir(server.dataDir);
  });

  /** A browser of its own for `who` (own cookies, own provider session), on Salve's sign-in page. */
  const open = async (who: string): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    // A loaded machine renders slowly: wait on what the page shows, generously.
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => {
      throw error;
    });
    await page.goto(server.url);
    pages[who] = page;
    return page;
  };
  const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' });
  const go = async (page: Page, section: string) => {
    await nav(page).getByRole('link', { name: section }).click();
  };
  /**
   * Screenshots of what `page` shows at the three widths, toasts gone first (they would cover it);
   * `show` is scrolled into view at each width (on a phone it may be below the fold).
   */
  const shots = async (page: Page, name: string, show?: Locator) => {
    await expect.poll(() => page.locator('.toast').count(), { timeout: 20_000 }).toBe(0);
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      await show?.scrollIntoViewIfNeeded();
      await screenshot(page, `people-scenario-${name}-${width}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  };

  /**
   * From Salve's single sign-on button through the provider's own login and consent pages, as a
   * person clicks them, until the page is back at Salve (signed in, or refused on the sign-in page).
   */
  const signInWithSso = async (page: Page, account: string) => {
    await page.getByTestId('signin-sso').click();
    const login = page.locator('input[name="login"]');
    const consent = page.getByRole('button', { name: 'Continue' });
    const back = nav(page).or(page.getByTestId('signin-sso-error'));
    for (let hop = 0; hop < 4; hop++) {
      await login.or(consent).or(back).first().waitFor();
      if (await back.count()) return;
      if (await login.count()) {
        await login.fill(account);
        await page.locator('input[name="password"]').fill('any');
        await page.getByRole('button', { name: 'Sign-in' }).click();
      } else {
        await consent.click();
      }
      await page.waitForLoadState();
    }
    await back.first().waitFor();
  };

  it('1. the admin signs in with the break-glass token and creates the teams and three people', async () => {
    const admin = await open('admin');
    await admin.getByTestId('signin-sso').waitFor();
    expect(await admin.getByTestId('signin-sso').textContent()).toContain('Sign in with single sign-on');
    expect(await admin.locator('.signin-sso-label').textContent()).toBe('Sign in with Example SSO');
    await shots(admin, 'sign-in-sso');
    await signInWithToken(admin, server.token);
    await nav(admin).waitFor();
    expect(await admin.getByTestId('account-name').textContent()).toBe('Admin token (break-glass)');

    await go(admin, 'Teams');
    await admin.getByTestId('team-row-default').waitFor();
    for (const [id, name] of [
      ['payments', 'Payments'],
      ['search', 'Search'],
    ] as const) {
      await admin.getByTestId('team-new').click();
      await admin.getByTestId('team-id').fill(id);
      await admin.getByTestId('team-name-input').fill(name);
      await admin.getByTestId('team-save').click();
      await admin.getByTestId('team-dialog').waitFor({ state: 'detached' });
      await expect.poll(() => admin.getByTestId(`team-row-${id}`).textContent()).toContain(name);
    }

    await go(admin, 'People');
    for (const [username, displayName, team, role] of [
      ['alice', 'Alice Moreau', 'payments', 'approver'],
      ['bob', 'Bob Lindqvist', 'payments', 'approver'],
      ['sam', 'Sam Rivera', 'search', 'viewer'],
    ] as const) {
      await admin.getByTestId('user-new').click();
      await admin.getByTestId('user-username').fill(username);
      await admin.getByTestId('user-display-name').fill(displayName);
      await admin.getByTestId('user-password').fill(PASSWORDS[username]);
      await admin.getByTestId(`role-${team}-${role}`).check();
      await admin.getByTestId('user-save').click();
      await admin.getByTestId('user-dialog').waitFor({ state: 'detached' });
      const roles = admin.getByTestId(`user-row-${username}`).getByTestId('user-roles');
      await expect.poll(() => roles.textContent()).toContain(team === 'payments' ? 'Payments' : 'Search');
      expect(await roles.textContent()).toContain(role);
    }
  });

  it('2. erin signs in with single sign-on; her sign-in answer replayed in another browser is refused, and said so', async () => {
    const erin = await open('erin');
    const callbacks: string[] = [];
    erin.on('request', (request) => {
      if (new URL(request.url()).pathname === OIDC_CALLBACK_PATH) callbacks.push(request.url());
    });
    await signInWithSso(erin, 'erin');
    await nav(erin).waitFor();
    expect(await erin.getByTestId('account-name').textContent()).toBe('Erin Okafor');
    expect(erin.url()).toBe(`${server.url}/`);
    for (const section of ['Flows', 'Runs', 'Approvals']) await nav(erin).getByRole('link', { name: section }).waitFor();
    expect(await nav(erin).getByRole('link', { name: 'People' }).count()).toBe(0);

    // The provider's answer (code and state in the address) opened in a browser that did not start
    // the sign-in, as a leaked or forged link would be: refused, and the sign-in page says why.
    expect(callbacks).toHaveLength(1);
    const stranger = await open('stranger');
    await stranger.goto(callbacks[0]!);
    const refused = stranger.getByTestId('signin-sso-error');
    await refused.waitFor();
    expect(await refused.textContent()).toBe(
      'Single sign-on did not sign you in. That single sign-on answer does not belong to a sign-in started in this browser (it may have been altered). Start again with the single sign-on button.',
    );
    expect(stranger.url()).toBe(`${server.url}/#/sign-in?error=bad_state`);
    expect(await nav(stranger).count()).toBe(0);
    await shots(stranger, 'sso-refused');
    await stranger.context().close();
  });

  it('3. erin imports the flow into her team, edits and saves it, and runs it by hand', async () => {
    const erin = pages.erin!;
    // Her team has no flow yet: the empty list offers the ways to get one.
    await erin.getByTestId('flows-empty').getByRole('button', { name: 'Import' }).click();
    await erin.getByTestId('import-file-input').setInputFiles({ name: `${FLOW_ID}.json`, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(FLOW)) });
    await erin.getByTestId('import-submit').click();
    await erin.getByTestId(`import-result-${FLOW_ID}`).waitFor();
    await erin.keyboard.press('Escape');
    const row = erin.getByTestId(`flow-row-${FLOW_ID}`);
    await row.waitFor();
    expect(await row.getByTestId('flow-team-cell').textContent()).toBe('Payments');

    await row.getByRole('link', { name: FLOW.name, exact: true }).click();
    await erin.getByTestId('saved').waitFor();
    expect(await erin.getByTestId('flow-team').textContent()).toContain('Payments');
    await erin.getByTestId('toolbar-flow-name').fill('Restart the payments API (two approvers)');
    await erin.getByTestId('dirty').waitFor();
    await erin.getByTestId('save').click();
    await erin.getByTestId('saved').waitFor();

    await erin.getByTestId('run-now').click();
    await erin.getByTestId('run-now-submit').click();
    const link = erin.getByTestId('toast-link');
    await link.waitFor();
    executionId = decodeURIComponent((await link.getAttribute('href'))!.slice('#/runs/'.length));
    await link.click();
    await expect.poll(() => erin.getByTestId('run-status').getAttribute('data-status'), { timeout: 30_000 }).toBe('waiting');

    const pending = await (await erin.request.get(`${server.url}/api/approvals?status=pending`)).json();
    const approval = pending.items.find((a: { executionId: string }) => a.executionId === executionId);
    expect(approval).toBeDefined();
    approvalId = approval.id;
  });

  it('4. sam, of another team, does not see the flow, and the API refuses it to him', async () => {
    const sam = await open('sam');
    await signInWithPassword(sam, 'sam', PASSWORDS.sam);
    await nav(sam).waitFor();
    expect(await sam.getByTestId('account-name').textContent()).toBe('Sam Rivera');
    const empty = sam.getByTestId('flows-empty');
    await empty.waitFor();
    expect(await empty.textContent()).toContain('Your team has none yet');
    expect(await sam.getByTestId(`flow-row-${FLOW_ID}`).count()).toBe(0);
    await shots(sam, 'sam-flows');

    // With his session, as the editor calls the API.
    const flow = await sam.request.get(`${server.url}/api/flows/${FLOW_ID}`);
    expect(flow.status()).toBe(403);
    const run = await sam.request.get(`${server.url}/api/executions/${encodeURIComponent(executionId)}`);
    expect(run.status()).toBe(403);
  });

  it('5. erin, who started the run, may not approve it, and is told why', async () => {
    const erin = pages.erin!;
    await go(erin, 'Approvals');
    await erin.getByTestId(`approval-${approvalId}`).waitFor();
    const why = erin.getByTestId(`approval-why-not-${approvalId}`);
    await why.waitFor();
    expect(await why.textContent()).toContain('you started this run by hand, so you may not approve it (no self-approval)');
    expect(await erin.getByTestId(`approve-${approvalId}`).isDisabled()).toBe(true);
    expect(await erin.getByTestId(`approval-progress-${approvalId}`).textContent()).toContain('0 of 2');
    await shots(erin, 'author-cannot-approve', erin.getByTestId(`approve-${approvalId}`));
  });

  it('6. alice and bob approve from the inbox, the quorum is reached, and the run finishes', async () => {
    const alice = await open('alice');
    await signInWithPassword(alice, 'alice', PASSWORDS.alice);
    await go(alice, 'Approvals');
    await alice.getByTestId(`approve-${approvalId}`).click();
    const progress = alice.getByTestId(`approval-progress-${approvalId}`);
    await expect.poll(() => progress.textContent(), { timeout: 20_000 }).toContain('1 of 2 approvals');

    const bob = await open('bob');
    await signInWithPassword(bob, 'bob', PASSWORDS.bob);
    await go(bob, 'Approvals');
    const bobsProgress = bob.getByTestId(`approval-progress-${approvalId}`);
    await expect.poll(() => bobsProgress.textContent()).toContain('1 of 2 approvals: waiting for 1 more');
    expect(await bobsProgress.textContent()).toContain('alice approved');
    await shots(bob, 'quorum-progress', bobsProgress);
    await bob.getByTestId(`approve-${approvalId}`).click();
    await bob.getByTestId(`approval-${approvalId}`).waitFor({ state: 'detached' });
    await bob.getByTestId('show-decided').click();
    const decided = bob.getByTestId(`approval-${approvalId}`);
    await decided.waitFor();
    await expect.poll(() => decided.textContent()).toContain('2 of 2 approvals');

    await bob.goto(`${server.url}/#/runs/${encodeURIComponent(executionId)}`);
    await expect.poll(() => bob.getByTestId('run-status').getAttribute('data-status'), { timeout: 30_000 }).toBe('succeeded');
    await bob.getByText('restarting payments-api').first().waitFor();
    await shots(bob, 'run-succeeded');
  });

  it('7. the audit page shows each step and who did it, and how they came in', async () => {
    const admin = pages.admin!;
    await go(admin, 'Audit');
    await admin.getByTestId('audit-table').waitFor();
    const rows = () =>
      admin.getByTestId('audit-row').evaluateAll((trs) =>
        trs.map((tr) => {
          const cell = (label: string) => tr.querySelector(`td[data-label="${label}"]`);
          return {
            action: tr.getAttribute('data-action'),
            actor: cell('Actor')?.firstChild?.textContent ?? '',
            via: cell('Via')?.textContent ?? '',
            target: cell('Target')?.textContent ?? '',
            summary: cell('Summary')?.textContent ?? '',
          };
        }),
      );
    // The page refreshes itself; the last decision may take a moment to appear.
    await expect.poll(async () => (await rows()).filter((r) => r.action === 'approval.approve').length, { timeout: 30_000 }).toBe(2);
    const seen = await rows();
    /** Rows of `action` by `actor`, optionally naming `text` in their target or summary. */
    const find = (action: string, actor: string, text = '') =>
      seen.filter((r) => r.action === action && r.actor === actor && `${r.target} ${r.summary}`.includes(text));

    // The admin token, signed in through the editor. (It is named "break-glass" in the log only once an
    // admin account exists: until then it is the first sign-in, see docs/operations.md.)
    expect(find('session.sign_in', 'admin', 'method: admin-token')).toHaveLength(1);
    for (const team of ['payments', 'search']) expect(find('team.create', 'admin', team)[0]?.via).toBe('editor session');
    for (const [user, roles] of [
      ['alice', 'payments (approver)'],
      ['bob', 'payments (approver)'],
      ['sam', 'search (viewer)'],
    ]) {
      const created = find('user.create', 'admin', `username: ${user}`);
      expect(created).toHaveLength(1);
      expect(created[0]!.via).toBe('editor session');
      expect(created[0]!.summary).toContain(`roles: ${roles}`);
    }
    // Erin's account was made at her first sign-in, from the provider's word, with her groups' roles.
    expect(find('user.create', 'erin', 'source: oidc')).toHaveLength(1);
    expect(find('user.roles', 'erin', 'payments:approver,payments:editor,payments:operator')).toHaveLength(1);
    const erinSignIn = find('session.sign_in', 'erin');
    expect(erinSignIn).toHaveLength(1);
    expect(erinSignIn[0]!.via).toBe('editor session');
    expect(erinSignIn[0]!.summary).toContain('method: oidc');
    expect(find('session.sign_in_failed', 'unknown', 'reason: bad_state')).toHaveLength(1);
    expect(find('flow.import', 'erin', FLOW_ID)[0]?.via).toBe('editor session');
    expect(find('flow.update', 'erin', 'Restart the payments API (two approvers)')).toHaveLength(1);
    expect(find('flow.run', 'erin', FLOW_ID)).toHaveLength(1);
    expect(find('approval.approve', 'alice', 'approvals: 1 of 2')[0]?.via).toBe('editor session');
    expect(find('approval.approve', 'bob', 'approvals: 2 of 2')[0]?.via).toBe('editor session');
    // Nobody else decided, and erin did not.
    expect(seen.filter((r) => r.action === 'approval.approve')).toHaveLength(2);
    await shots(admin, 'audit');

    // The admin's own steps, as an operator finds them: the Actor filter.
    await admin.getByTestId('audit-filter-actor').fill('admin');
    await admin.getByTestId('audit-filter-actor').press('Tab');
    await expect.poll(async () => (await rows()).map((r) => r.action)).toEqual([
      'user.create',
      'user.create',
      'user.create',
      'team.create',
      'team.create',
      'session.sign_in',
    ]);
    await shots(admin, 'audit-admin');
  });
});
