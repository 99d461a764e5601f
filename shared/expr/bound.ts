/**
 * An upper bound that understands loops over data, for the cost estimate (cost.ts).
 *
 * A value read from a loop variable over JSON data is a *part* of one document, and the parts
 * the loop visits are disjoint: over all iterations they add up to at most the document. So
 * next to a plain amount `k`, a bound keeps amounts that bound a SUM over all iterations of a
 * set of enclosing loops (`shared`, keyed by loop ids). That is why
 * `event.alerts.all(a, a.labels.exists(…))` is estimated as a walk over the document, while
 * `event.a.all(x, event.b.exists(…))` is estimated as the product it is.
 */

/** Numbers beyond this are all "too many" (and `0 × cap` stays 0, unlike Infinity). */
const CAP = 1e300;
const clamp = (x: number) => Math.min(x, CAP);

type Shared = ReadonlyMap<string, number>;
const NONE: Shared = new Map();

const keyWith = (key: string, loop: string) => [...new Set([...key.split(' ').filter(Boolean), loop])].sort().join(' ');
const keyWithout = (key: string, loop: string) =>
  key
    .split(' ')
    .filter((l) => l !== loop)
    .join(' ');
const hasLoop = (key: string, loop: string) => key.split(' ').includes(loop);

function addTo(map: Map<string, number>, key: string, value: number): void {
  map.set(key, clamp((map.get(key) ?? 0) + value));
}

export class Bound {
  private constructor(
    readonly k: number,
    readonly shared: Shared,
  ) {}

  static of(k: number): Bound {
    return new Bound(clamp(k), NONE);
  }

  static readonly ZERO = Bound.of(0);
  static readonly ONE = Bound.of(1);

  /** The bound for one value, whatever the iteration. */
  get max(): number {
    let m = this.k;
    for (const v of this.shared.values()) m += v;
    return clamp(m);
  }

  plus(o: Bound): Bound {
    if (o.shared.size === 0 && this.shared.size === 0) return Bound.of(this.k + o.k);
    const shared = new Map(this.shared);
    for (const [key, v] of o.shared) addTo(shared, key, v);
    return new Bound(clamp(this.k + o.k), shared);
  }

  times(c: number): Bound {
    const shared = new Map<string, number>();
    for (const [key, v] of this.shared) shared.set(key, clamp(v * c));
    return new Bound(clamp(this.k * c), shared);
  }

  /** A product: (k + Σs)(k' + Σs') ≤ kk' + k·Σs' + Σs·max'. */
  mul(o: Bound): Bound {
    if (o.shared.size === 0) return this.times(o.k);
    if (this.shared.size === 0) return o.times(this.k);
    const shared = new Map<string, number>();
    const oMax = o.max;
    for (const [key, v] of this.shared) addTo(shared, key, v * oMax);
    for (const [key, v] of o.shared) addTo(shared, key, v * this.k);
    return new Bound(clamp(this.k * o.k), shared);
  }

  /** One of two values (a ternary's branches): plain amounts take the larger, shared ones add. */
  or(o: Bound): Bound {
    const sum = this.plus(o);
    return new Bound(Math.max(this.k, o.k), sum.shared);
  }

  /** This bound on a whole document, re-read for one element of a loop over it: the elements add up to it. */
  sharedOver(loop: string): Bound {
    const shared = new Map<string, number>();
    if (this.k > 0) addTo(shared, loop, this.k);
    for (const [key, v] of this.shared) addTo(shared, keyWith(key, loop), v);
    return new Bound(0, shared);
  }

  /** The sum, over the `n` iterations of `loop`, of this per-iteration amount. */
  sumOver(loop: string, n: Bound): Bound {
    const rest = new Map<string, number>();
    const inner = new Map<string, number>();
    let innerK = 0;
    for (const [key, v] of this.shared) {
      if (!hasLoop(key, loop)) addTo(rest, key, v);
      else if (keyWithout(key, loop) === '') innerK += v;
      else addTo(inner, keyWithout(key, loop), v);
    }
    return n.mul(new Bound(this.k, rest)).plus(new Bound(clamp(innerK), inner));
  }
}
