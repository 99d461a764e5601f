import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/*
 * Test helper: a real OpenID provider (the oidc-provider package) on 127.0.0.1, with its
 * development login and consent pages, accounts the test defines (and may change between
 * sign-ins), and one switch a test can throw: `swapIdToken`, which replaces the ID token in the
 * next token response by another one this provider signed (for another client), as a hostile
 * network or a confused provider would.
 */

interface TestAccount {
  name?: string;
  preferred_username?: string;
  email?: string;
  email_verified?: boolean;
  groups?: string[];
}

interface TestProviderClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
}

export interface TestProvider {
  issuer: string;
  /** The accounts by id (what the login form's `login` field names); change them between sign-ins. */
  accounts: Map<string, TestAccount>;
  /** The next token response carries this ID token instead of its own. */
  swapIdToken(idToken: string): void;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

export async function startOidcProvider(opts: { clients: TestProviderClient[]; idTokenTtlSeconds?: number }): Promise<TestProvider> {
  const accounts = new Map<string, TestAccount>();
  let swap: string | undefined;
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => {
    if (swap !== undefined && req.method === 'POST' && req.url === '/token') {
      const idToken = swap;
      swap = undefined;
      const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
      // Koa sends headers and body in one end(): rewrite the body (and its length) there.
      (res as any).end = (chunk?: unknown) => {
        const body = JSON.parse(String(chunk));
        if (body.id_token) body.id_token = idToken;
        const out = JSON.stringify(body);
        res.setHeader('content-length', Buffer.byteLength(out));
        return end(out);
      };
    }
    handler!(req, res);
  });
  const port = await listen(server);
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: opts.clients.map((c) => ({ ...c, grant_types: ['authorization_code'], response_types: ['code'] })),
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username'],
      email: ['email', 'email_verified'],
      groups: ['groups'],
    },
    cookies: { keys: ['oidc-provider-test-cookie-key'] },
    ttl: { IdToken: opts.idTokenTtlSeconds ?? 3600, AccessToken: 3600, AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 3600 },
    findAccount: async (_ctx: unknown, id: string) => {
      const account = accounts.get(id);
      if (!account) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...accounts.get(id) }) };
    },
  });
  handler = provider.callback();
  return {
    issuer,
    accounts,
    swapIdToken(idToken) {
      swap = idToken;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A browser's cookies for 127.0.0.1 (any port, as browsers do), honouring Path and deletion. */
export class CookieJar {
  private readonly cookies = new Map<string, { name: string; value: string; path: string }>();

  store(res: Response, requestPath: string): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      let path = requestPath.replace(/\/[^/]*$/, '') || '/';
      let gone = value === '';
      for (const attr of attrs) {
        const [k, v = ''] = attr.split('=');
        if (k!.toLowerCase() === 'path') path = v;
        if (k!.toLowerCase() === 'max-age' && Number(v) <= 0) gone = true;
        if (k!.toLowerCase() === 'expires' && Date.parse(v) < Date.now()) gone = true;
      }
      const key = `${name} ${path}`;
      if (gone) this.cookies.delete(key);
      else this.cookies.set(key, { name, value, path });
    }
  }

  header(path: string): string {
    return [...this.cookies.values()]
      .filter((c) => path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`) || c.path === '/')
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  get(name: string): string | undefined {
    return [...this.cookies.values()].find((c) => c.name === name)?.value;
  }

  set(name: string, value: string, path: string): void {
    this.cookies.set(`${name} ${path}`, { name, value, path });
  }
}

/**
 * A browser's navigation: GET (or a form POST) with the jar's cookies, redirects not followed.
 * Returns the answer with its Location resolved against the URL.
 */
export async function navigate(jar: CookieJar, url: string, form?: Record<string, string>): Promise<{ status: number; location?: string; res: Response }> {
  const u = new URL(url);
  const res = await fetch(u, {
    method: form ? 'POST' : 'GET',
    redirect: 'manual',
    headers: { cookie: jar.header(u.pathname), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    body: form ? new URLSearchParams(form).toString() : undefined,
  });
  jar.store(res, u.pathname);
  const location = res.headers.get('location');
  return { status: res.status, location: location ? new URL(location, u).href : undefined, res };
}

/**
 * Follows a sign-in through the provider's development pages: logs in as `account` (or aborts,
 * for `deny`), consents, and stops at the first redirect that leaves the provider (to the
 * relying party's callback). Returns that URL.
 */
export async function throughProvider(jar: CookieJar, provider: TestProvider, authorizationUrl: string, action: { account: string } | 'deny'): Promise<string> {
  let url = authorizationUrl;
  for (let hop = 0; hop < 12; hop++) {
    if (!url.startsWith(`${provider.issuer}/`)) return url;
    const interaction = /\/interaction\/([^/?]+)$/.exec(new URL(url).pathname);
    let step: Awaited<ReturnType<typeof navigate>>;
    if (interaction) {
      const page = await navigate(jar, url);
      const html = await page.res.text();
      if (action === 'deny') {
        step = await navigate(jar, `${url}/abort`);
      } else if (html.includes('name="login"')) {
        step = await navigate(jar, url, { prompt: 'login', login: action.account, password: 'any' });
      } else {
        step = await navigate(jar, url, { prompt: 'consent' });
      }
    } else {
      step = await navigate(jar, url);
    }
    if (!step.location) throw new Error(`the provider answered ${step.status} at ${url}: ${await step.res.text()}`);
    url = step.location;
  }
  throw new Error('too many redirects at the provider');
}
