import { X509Certificate } from 'node:crypto';

/** Limits on fetching SNS signing certificates. */
export interface CertificateCacheOptions {
  /** Certificates kept (least recently used dropped first). SNS uses about one per region. */
  maxEntries: number;
  /** How long a fetched certificate is kept. A URL names one certificate, so this only bounds staleness. */
  ttlMs: number;
  /** How long a failed fetch is remembered, so a flood naming one bad URL does not fetch it again. */
  failureTtlMs: number;
  /** Per request: connect, answer and body. */
  timeoutMs: number;
  /** Largest certificate file accepted (an SNS .pem is about 2 KB). */
  maxBytes: number;
  /** New fetches allowed per minute across all URLs (cache hits are free). */
  maxFetchesPerMinute: number;
}

const DEFAULT_CERTIFICATE_CACHE_OPTIONS: CertificateCacheOptions = {
  maxEntries: 64,
  ttlMs: 24 * 3600_000,
  failureTtlMs: 15_000,
  timeoutMs: 5_000,
  maxBytes: 64 * 1024,
  maxFetchesPerMinute: 30,
};

/** `retryable` when the certificate could not be had right now (network, timeout, 5xx, fetch limit). */
export type CertificateResult = { ok: true; certificate: X509Certificate } | { ok: false; reason: string; retryable?: boolean };

interface Entry {
  result: Promise<CertificateResult>;
  /** Epoch ms after which the entry is fetched again. */
  expiresAt: number;
}

/**
 * Reads at most `maxBytes` of `response`'s body; undefined when it is larger. Streams, so a huge
 * or endless body costs no more than the limit.
 */
export async function readLimited(response: Response, maxBytes: number): Promise<string | undefined> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    return undefined;
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Rejects after `ms` with `message`, unless `work` settles first. */
export async function withTimeout<T>(work: (signal: AbortSignal) => Promise<T>, ms: number, message: string): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(message));
    }, ms);
  });
  try {
    return await Promise.race([work(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * SNS signing certificates by URL, in memory and bounded. Concurrent deliveries naming the same
 * URL share one fetch; failures are remembered briefly; new fetches are rate-limited, so a flood
 * of forged messages cannot make Salve fetch over and over. The caller checks the URL first
 * (`checkSigningCertUrl`): this class fetches whatever it is given.
 */
export class CertificateCache {
  private readonly entries = new Map<string, Entry>();
  private readonly fetchTimes: number[] = [];
  readonly options: CertificateCacheOptions;
  /** Fetches started (for tests and diagnostics). */
  fetches = 0;

  constructor(options: Partial<CertificateCacheOptions> = {}) {
    this.options = { ...DEFAULT_CERTIFICATE_CACHE_OPTIONS, ...options };
  }

  get size(): number {
    return this.entries.size;
  }

  /** The certificate at `url`, from the cache or fetched with `fetchImpl`. */
  get(url: string, fetchImpl: typeof fetch, now: number): Promise<CertificateResult> {
    const cached = this.entries.get(url);
    if (cached && cached.expiresAt > now) {
      // Most recently used last, so eviction drops the least recently used.
      this.entries.delete(url);
      this.entries.set(url, cached);
      return cached.result;
    }
    if (cached) this.entries.delete(url);

    while (this.fetchTimes.length > 0 && this.fetchTimes[0]! <= now - 60_000) this.fetchTimes.shift();
    if (this.fetchTimes.length >= this.options.maxFetchesPerMinute) {
      return Promise.resolve({ ok: false, retryable: true, reason: `too many signing certificate fetches (over ${this.options.maxFetchesPerMinute} a minute); not fetching ${url}` });
    }
    this.fetchTimes.push(now);
    this.fetches++;

    const entry: Entry = { result: this.fetchCertificate(url, fetchImpl, now), expiresAt: now + this.options.ttlMs };
    // Until it settles, concurrent callers share the in-flight fetch; a failure is kept only briefly.
    entry.result = entry.result.then((result) => {
      if (!result.ok) entry.expiresAt = now + this.options.failureTtlMs;
      return result;
    });
    this.entries.set(url, entry);
    while (this.entries.size > this.options.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return entry.result;
  }

  private async fetchCertificate(url: string, fetchImpl: typeof fetch, now: number): Promise<CertificateResult> {
    let pem: string | undefined;
    try {
      pem = await withTimeout(
        async (signal) => {
          // No redirects: a certificate must come from the SNS host that was checked.
          const response = await fetchImpl(url, { method: 'GET', redirect: 'error', signal, headers: { accept: 'application/x-pem-file, */*' } });
          if (response.status !== 200) {
            await response.body?.cancel().catch(() => {});
            throw Object.assign(new Error(`answered ${response.status}`), { retryable: response.status >= 500 || response.status === 429 });
          }
          return readLimited(response, this.options.maxBytes);
        },
        this.options.timeoutMs,
        `timed out after ${this.options.timeoutMs} ms`,
      );
    } catch (error) {
      // A network failure, a timeout or a 5xx may pass; a 404 will not.
      const retryable = (error as { retryable?: boolean }).retryable ?? true;
      return { ok: false, retryable, reason: `could not fetch the signing certificate ${url}: ${(error as Error).message}` };
    }
    if (pem === undefined) return { ok: false, reason: `signing certificate ${url} is larger than ${this.options.maxBytes} bytes` };
    if (!pem.trimStart().startsWith('-----BEGIN CERTIFICATE-----')) {
      return { ok: false, reason: `${url} is not a PEM certificate` };
    }
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(pem);
    } catch {
      return { ok: false, reason: `${url} is not a readable X.509 certificate` };
    }
    if (certificate.publicKey.asymmetricKeyType !== 'rsa') {
      return { ok: false, reason: `signing certificate ${url} does not hold an RSA key` };
    }
    if (!Number.isFinite(Date.parse(certificate.validTo)) || Date.parse(certificate.validTo) < now) {
      return { ok: false, reason: `signing certificate ${url} expired on ${certificate.validTo}` };
    }
    return { ok: true, certificate };
  }
}
