import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import { parseIp } from '../../shared/net/ip.js';
import { listAllows, normalizeHost, parseTargetList, type Destination, type TargetEntry } from '../../shared/net/targets.js';
import {
  DestinationRefused,
  ResolveFailed,
  type CheckedAddress,
  type CheckedDestination,
  type ConnectTarget,
  type NetworkAccess,
  type SecretRefusal,
} from '../../nodes/network.js';
import { secretHostsEnvName } from '../engine/secrets/secrets.js';
import { classifyIp } from './address-class.js';

/** Resolves a host name to every address it has (the system resolver by default). */
export type Resolver = (host: string) => Promise<CheckedAddress[]>;

/** getaddrinfo, as Node's own connections use it, with every address (IPv4 and IPv6). */
const systemResolver: Resolver = async (host) =>
  (await dnsLookup(host, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

export interface DestinationPolicyOptions {
  /** `SALVE_ALLOWED_TARGETS`: non-public destinations steps may reach (see shared/net/targets.ts). */
  allowedTargets: readonly string[];
  /** `SALVE_SECRET_<NAME>_HOSTS` as written; undefined when the secret has no list. */
  secretHosts: (name: string) => readonly string[] | undefined;
  /** How messages name where a secret's host list is set; default `SALVE_SECRET_<NAME>_HOSTS`. */
  secretHostsSetting?: (name: string) => string | undefined;
  resolver?: Resolver;
}

/** What one step may reach: set by the runner from the flow and the step's rendered config. */
export interface StepNetworkScope {
  /** The flow's `settings.allowedTargets`, when it has one. */
  flowTargets?: readonly string[];
  /** Names of the secrets the step's config uses. */
  secrets: readonly string[];
}

const hostAt = (host: string, address: string) => (host === address ? address : `${host} at ${address}`);
const withPort = (host: string, port: number) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

/** Rejects when `signal` aborts first (getaddrinfo itself cannot be cancelled). */
function raceSignal<T>(work: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (!signal) return work;
  const cancelled = () => new ResolveFailed(`resolving ${what} was cancelled`);
  if (signal.aborted) return Promise.reject(cancelled());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(cancelled());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * The destination policy every outbound connection passes, checked on the address actually
 * connected to. Default: public unicast addresses only. Loopback, private, link-local (cloud
 * metadata), CGNAT, ULA, multicast, reserved ranges and IPv4 embedded in IPv6 need an entry in
 * `SALVE_ALLOWED_TARGETS`. A flow's own list narrows further, and each secret goes only where
 * its `SALVE_SECRET_<NAME>_HOSTS` allows.
 */
export class DestinationPolicy {
  private readonly allowed: TargetEntry[];
  private readonly resolver: Resolver;

  constructor(private readonly options: DestinationPolicyOptions) {
    const { entries, problems } = parseTargetList(options.allowedTargets);
    if (problems.length > 0) throw new Error(`SALVE_ALLOWED_TARGETS: ${problems.map((p) => p.message).join('; ')}`);
    this.allowed = entries;
    this.resolver = options.resolver ?? systemResolver;
  }

  /** The network access one step gets (ExecContext.network). */
  forStep(scope: StepNetworkScope): NetworkAccess {
    const flowList = scope.flowTargets ? parseTargetList(scope.flowTargets).entries : undefined;
    return { resolve: (target, signal) => this.resolve(target, scope.secrets, flowList, signal) };
  }

  /** Why the server-wide policy refuses `dest` (at `address`, as resolved), or undefined when it allows it. */
  private refusal(dest: Destination, address: string, display: string): string | undefined {
    const where = hostAt(dest.host, address);
    const cls = classifyIp(dest.address);
    if (cls.public || listAllows(this.allowed, dest)) return undefined;
    const example = isIP(dest.host) !== 0 ? address : dest.host;
    return (
      `refused to connect to ${where} (${cls.label}) for ${display}: non-public addresses need an entry in ` +
      `SALVE_ALLOWED_TARGETS (e.g. SALVE_ALLOWED_TARGETS=${withPort(example, dest.port)})`
    );
  }

  private secretRefusals(names: readonly string[], dest: Destination, address: string, display: string): SecretRefusal[] {
    const out: SecretRefusal[] = [];
    for (const name of names) {
      const raw = this.options.secretHosts(name);
      const variable = this.options.secretHostsSetting?.(name) ?? secretHostsEnvName(name);
      if (raw === undefined) {
        out.push({
          name,
          message: `secret ${name} may not be sent to ${dest.host} (for ${display}): ${variable} is not set; set it to the hosts this secret may be sent to (or * for anywhere)`,
        });
      } else if (!listAllows(parseTargetList(raw, { allowAny: true }).entries, dest)) {
        out.push({
          name,
          message: `secret ${name} may not be sent to ${hostAt(dest.host, address)} (for ${display}): it is not in ${variable}`,
        });
      }
    }
    return out;
  }

  private async resolve(
    target: ConnectTarget,
    stepSecrets: readonly string[],
    flowList: TargetEntry[] | undefined,
    signal: AbortSignal | undefined,
  ): Promise<CheckedDestination> {
    const host = normalizeHost(target.host);
    const bare = target.host.startsWith('[') && target.host.endsWith(']') ? target.host.slice(1, -1) : target.host;
    // Node connects to an IP literal without calling `lookup`, so it is checked here as given.
    const literal = isIP(bare);
    let addresses: CheckedAddress[];
    if (literal !== 0) {
      addresses = [{ address: bare, family: literal === 6 ? 6 : 4 }];
    } else {
      try {
        addresses = await raceSignal(this.resolver(bare), signal, host);
      } catch (error) {
        if (error instanceof ResolveFailed) throw error;
        const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        throw new ResolveFailed(`could not resolve ${host} (for ${target.display}): ${code}`);
      }
      if (addresses.length === 0) throw new ResolveFailed(`could not resolve ${host} (for ${target.display}): no addresses`);
    }

    const dests: { dest: Destination; address: string }[] = [];
    for (const a of addresses) {
      const ip = parseIp(a.address);
      if (!ip) throw new DestinationRefused(`refused to connect to ${hostAt(host, a.address)} for ${target.display}: not an IP address`, 'policy');
      const dest: Destination = { host, port: target.port, address: ip };
      // Every address is checked, not just the first: a name answering [public, 127.0.0.1] is refused.
      const refused = this.refusal(dest, a.address, target.display);
      if (refused) throw new DestinationRefused(refused, 'policy');
      if (flowList && !listAllows(flowList, dest)) {
        throw new DestinationRefused(
          `refused to connect to ${hostAt(host, a.address)} for ${target.display}: not in this flow's settings.allowedTargets`,
          'flow',
        );
      }
      dests.push({ dest, address: a.address });
    }
    const refusedSecrets = (names: readonly string[]) => {
      // A secret must be allowed for every address the connection may use.
      const seen = new Map<string, SecretRefusal>();
      for (const { dest, address } of dests) {
        for (const r of this.secretRefusals(names, dest, address, target.display)) if (!seen.has(r.name)) seen.set(r.name, r);
      }
      return [...seen.values()];
    };
    const secretProblem = refusedSecrets(target.secrets ?? stepSecrets)[0];
    if (secretProblem) throw new DestinationRefused(secretProblem.message, 'secret');
    return { host, port: target.port, addresses, lookup: checkedLookup(host, addresses), refusedSecrets };
  }
}

/**
 * A `lookup` that answers only with addresses already checked, for the host they were checked
 * for; anything else is an error (Node calls it only for the host of the request it makes).
 */
function checkedLookup(host: string, addresses: readonly CheckedAddress[]): LookupFunction {
  return (hostname, options, callback) => {
    if (normalizeHost(hostname) !== host) {
      callback(Object.assign(new Error(`refused to resolve ${hostname}: this connection was checked for ${host}`), { code: 'ENOTFOUND' }), '', 0);
      return;
    }
    const family = options.family === 4 || options.family === 'IPv4' ? 4 : options.family === 6 || options.family === 'IPv6' ? 6 : 0;
    const usable = addresses.filter((a) => family === 0 || a.family === family);
    if (usable.length === 0) {
      callback(Object.assign(new Error(`${hostname} has no IPv${family} address`), { code: 'ENOTFOUND' }), '', 0);
      return;
    }
    if (options.all) callback(null, usable.map((a) => ({ address: a.address, family: a.family })));
    else callback(null, usable[0]!.address, usable[0]!.family);
  };
}
