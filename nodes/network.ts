import type { LookupFunction } from 'node:net';

/**
 * How executors reach the network: every outbound connection (HTTP today; checks, notifications
 * and SSH later) asks `ExecContext.network` first. It resolves the host, checks every address
 * against the destination policy (public addresses only unless allow-listed, narrowed by the
 * flow's own list) and checks that each secret sent may go to that host. The runtime implements
 * it (runtime/net/destination-policy.ts); this file holds only the contract.
 */

/** Where an executor wants to connect. */
export interface ConnectTarget {
  /** The host as written in the URL (an IPv6 address may keep its brackets). */
  host: string;
  port: number;
  /** What to show in messages, e.g. `http://agent.internal:9100/cleanup` (no credentials, no query). */
  display: string;
  /**
   * Names of the secrets that will be sent there. Default: every secret the step's config uses,
   * so an executor that forgets to say is checked for all of them.
   */
  secrets?: readonly string[];
}

/** One address a destination resolved to, already allowed. */
export interface CheckedAddress {
  address: string;
  family: 4 | 6;
}

/** A secret that may not go to a destination, and why (names the setting to change). */
export interface SecretRefusal {
  name: string;
  message: string;
}

/** A destination whose every address passed the policy. */
export interface CheckedDestination {
  host: string;
  port: number;
  addresses: readonly CheckedAddress[];
  /**
   * A `lookup` for node:net / node:http / node:https that answers only with `addresses`, so the
   * connection goes exactly where the check looked (no second DNS answer, no rebinding).
   */
  lookup: LookupFunction;
  /** The secrets among `names` that may not be sent to this destination. */
  refusedSecrets(names: readonly string[]): SecretRefusal[];
}

export interface NetworkAccess {
  /**
   * Resolves `target.host` (an IP literal is taken as is), then checks every address and every
   * secret sent. Rejects with DestinationRefused before anything connects, or with ResolveFailed
   * when the name does not resolve.
   */
  resolve(target: ConnectTarget, signal?: AbortSignal): Promise<CheckedDestination>;
}

/** Why a connection was refused: the destination policy, the flow's list, or a secret's host list. */
export type RefusalReason = 'policy' | 'flow' | 'secret';

/** A connection refused before it was made. The message names the host, address and setting. */
export class DestinationRefused extends Error {
  constructor(
    message: string,
    readonly reason: RefusalReason,
  ) {
    super(message);
    this.name = 'DestinationRefused';
  }
}

/** The host name did not resolve (or resolving was cancelled): a network error, not a refusal. */
export class ResolveFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResolveFailed';
  }
}

/** For contexts that must not connect anywhere (simulation): every resolve is refused. */
export const NO_NETWORK: NetworkAccess = {
  resolve: (target) => Promise.reject(new DestinationRefused(`${target.display}: nothing is sent from here (simulation)`, 'policy')),
};

/** A secret the step's config uses, and where in the config its value was put. */
export interface SecretUse {
  name: string;
  path: readonly (string | number)[];
}
