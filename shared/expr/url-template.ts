import { ExpressionError } from './errors.js';
import { truncate } from '../text.js';
import { boundedMemo } from '../bounded-memo.js';
import { checkTemplate, renderTemplateParts, templateParts } from './template.js';
import type { ExprIssue, ExprScope, ExprVars } from './types.js';

/**
 * URL templates (`http://{{ alert.labels.instance }}/cleanup`), rendered per URL component.
 *
 * Alert data is attacker-controlled, so a value must never change the URL's structure: the
 * scheme and user info are always the flow author's literal text; a value in the host position
 * may only be a host name or IP address with an optional port; values in the path, query and
 * fragment are percent-encoded so `/`, `?`, `#`, `&` or `..` in a label stay data.
 */

/** Where a `{{ }}` part sits in the URL. `scheme` and `userinfo` are refused. */
type UrlComponent = 'scheme' | 'userinfo' | 'host' | 'path' | 'query' | 'fragment';

/** Stands for a `{{ }}` part in the skeleton: not a character a flow author types. */
const SLOT = '\u0000';
const SCHEME = /^https?:\/\//i;

/** The literal skeleton of a template and where each of its `{{ }}` parts sits. */
interface Layout {
  skeleton: string;
  schemeEnd: number;
  /** Index in `skeleton` where the authority (user info, host, port) ends. */
  authorityEnd: number;
  /** Index of the last literal `@` in the authority, or -1. */
  at: number;
  queryStart: number;
  fragmentStart: number;
}

function layoutOf(skeleton: string): Layout {
  const schemeMatch = SCHEME.exec(skeleton);
  const schemeEnd = schemeMatch ? schemeMatch[0].length : 0;
  // WHATWG URL treats `\` like `/` in http(s) URLs.
  const end = skeleton.slice(schemeEnd).search(/[/?#\\]/);
  const authorityEnd = end === -1 ? skeleton.length : schemeEnd + end;
  const at = skeleton.lastIndexOf('@', authorityEnd - 1);
  const fragment = skeleton.indexOf('#', authorityEnd);
  const fragmentStart = fragment === -1 ? skeleton.length : fragment;
  const query = skeleton.indexOf('?', authorityEnd);
  const queryStart = query === -1 || query > fragmentStart ? fragmentStart : query;
  return { skeleton, schemeEnd, authorityEnd, at: at >= schemeEnd ? at : -1, queryStart, fragmentStart };
}

function componentAt(layout: Layout, index: number): UrlComponent {
  if (index < layout.schemeEnd || layout.schemeEnd === 0) return 'scheme';
  if (index < layout.authorityEnd) return index < layout.at ? 'userinfo' : 'host';
  if (index < layout.queryStart) return 'path';
  return index < layout.fragmentStart ? 'query' : 'fragment';
}

/** The skeleton (each `{{ }}` part replaced by one SLOT character) and each slot's index in it. */
function skeletonOf(parts: readonly ({ kind: 'text'; text: string } | { kind: 'expr' | 'value' })[]): { skeleton: string; slots: number[] } {
  let skeleton = '';
  const slots: number[] = [];
  for (const part of parts) {
    if (part.kind === 'text') {
      skeleton += part.text;
    } else {
      slots.push(skeleton.length);
      skeleton += SLOT;
    }
  }
  return { skeleton, slots };
}

const STRUCTURE_ISSUE: Partial<Record<UrlComponent, string>> = {
  scheme: 'a URL template must start with http:// or https:// written out: a template cannot choose the scheme',
  userinfo: 'a template cannot write the user info (user:password@) of a URL',
};

/**
 * Checks a URL template when the flow is saved: its `{{ }}` parts compile, the scheme is
 * written out (http:// or https://), and no part sits in the user info. Offsets point into `text`;
 * `scope` is where the template sits (see checkCel).
 */
export function checkUrlTemplate(text: string, scope?: ExprScope): ExprIssue[] {
  const issues = checkTemplate(text, scope);
  if (issues.length > 0) return issues;
  const { parts } = templateParts(text);
  const { skeleton, slots } = skeletonOf(parts);
  const layout = layoutOf(skeleton);
  if (layout.schemeEnd === 0) return [{ message: STRUCTURE_ISSUE.scheme!, offset: 0 }];
  const exprs = parts.filter((p) => p.kind === 'expr');
  slots.forEach((index, i) => {
    const message = STRUCTURE_ISSUE[componentAt(layout, index)];
    if (message) issues.push({ message, offset: exprs[i]!.offset });
  });
  return issues;
}

/**
 * `checkUrlTemplate(text)` (no scope), by template text: every step that renders a URL checks
 * its template first, and the check parses each `{{ }}` part as CEL.
 */
const issuesOf = boundedMemo((text: string): readonly ExprIssue[] => checkUrlTemplate(text), 500);

const show = (value: string) => JSON.stringify(truncate(value, 120));

/** Why `value` cannot stand in a host position, or undefined when it may. */
function hostValueProblem(value: string): string | undefined {
  for (const ch of value) {
    if (/[A-Za-z0-9._:[\]-]/.test(ch)) continue;
    if (ch === '@') return 'it contains "@", and user info is never taken from a template';
    if ('/?#\\'.includes(ch)) return `it contains "${ch}", which would change the URL's path, query or fragment`;
    if (/\s/.test(ch)) return 'it contains whitespace';
    if (ch === '%') return 'it contains "%": a host may not be percent-encoded';
    if (ch.charCodeAt(0) > 0x7e) return 'it contains a non-ASCII character (write international names in their xn-- form)';
    return `it contains ${JSON.stringify(ch)}`;
  }
  return undefined;
}

/** host name, IPv4 or [IPv6], then an optional :port. */
const HOST_AND_PORT = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?\.?)(?::(\d{1,5}))?$/;

/** A path segment that WHATWG URL parsing would treat as `.` or `..` (also as `%2e`). */
const isDotSegment = (segment: string) => /^(?:\.|%2e){1,2}$/i.test(segment);

// Characters legal as data where the value sits (RFC 3986) and left readable (`db1:9100`).
// Everything that separates parts — `/` in a path, `&`, `=`, `+`, `;` and `#` in a query — stays encoded.
const READABLE: Record<'path' | 'query' | 'fragment', RegExp> = {
  path: /%(3A|40)/g,
  query: /%(3A|40|2F|2C)/g,
  fragment: /%(3A|40|2F|2C)/g,
};

/** Percent-encodes a value as one path segment, one query value or a fragment. */
function encodeValue(value: string, source: string, component: 'path' | 'query' | 'fragment'): string {
  let encoded: string;
  try {
    encoded = encodeURIComponent(value);
  } catch {
    throw new ExpressionError(`{{ ${source} }} gave text that is not valid Unicode`, []);
  }
  return encoded.replace(READABLE[component], (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * Renders a URL template per component and returns the resulting URL (WHATWG-normalized).
 * Throws ExpressionError, naming the part and its value, when a value cannot be used where it
 * sits: a host value with anything but a host name or IP address and an optional port, or a
 * path value that is exactly `.` or `..`.
 */
export function renderUrlTemplate(text: string, vars: Partial<ExprVars>): string {
  const issues = issuesOf(text);
  if (issues.length > 0) throw new ExpressionError(`invalid URL template: ${issues[0]!.message}`, [...issues]);
  const parts = renderTemplateParts(text, vars);
  const { skeleton, slots } = skeletonOf(parts);
  const layout = layoutOf(skeleton);

  let out = '';
  let host = '';
  const hostSources: string[] = [];
  let segment = '';
  let segmentSource: string | undefined;
  const endSegment = () => {
    if (segmentSource !== undefined && isDotSegment(segment)) {
      throw new ExpressionError(`{{ ${segmentSource} }} made the path segment ${show(segment)}, which would climb the path`, []);
    }
    segment = '';
    segmentSource = undefined;
  };

  let slot = 0;
  let index = 0; // position in the skeleton
  for (const part of parts) {
    if (part.kind === 'text') {
      for (const ch of part.text) {
        const component = componentAt(layout, index);
        if (component === 'host') host += ch;
        if (component === 'path') {
          if (ch === '/' || ch === '\\') endSegment();
          else segment += ch;
        } else if (segmentSource !== undefined) {
          endSegment();
        }
        out += ch;
        index += ch.length;
      }
      continue;
    }
    const component = componentAt(layout, slots[slot++]!);
    if (component === 'host') {
      const problem = hostValueProblem(part.text);
      if (problem) {
        throw new ExpressionError(`{{ ${part.source} }} gave ${show(part.text)}, which cannot be the URL's host: ${problem}`, []);
      }
      host += part.text;
      hostSources.push(part.source);
      out += part.text;
    } else {
      const encoded = encodeValue(part.text, part.source, component === 'path' ? 'path' : component === 'query' ? 'query' : 'fragment');
      if (component === 'path') {
        segment += encoded;
        segmentSource ??= part.source;
      }
      out += encoded;
    }
    index += SLOT.length;
  }
  endSegment();

  if (hostSources.length > 0) {
    const match = HOST_AND_PORT.exec(host);
    const port = match?.[1] === undefined ? undefined : Number(match[1]);
    const from = hostSources.map((s) => `{{ ${s} }}`).join(', ');
    if (host === '') throw new ExpressionError(`${from} gave an empty host`, []);
    if (!match) throw new ExpressionError(`${from} made the host ${show(host)}, which is not a host name or IP address with an optional :port`, []);
    if (port !== undefined && (port < 1 || port > 65535)) throw new ExpressionError(`${from} made the host ${show(host)}, whose port is not 1-65535`, []);
  }

  let url: URL;
  try {
    url = new URL(out);
  } catch {
    throw new ExpressionError(`the rendered URL ${show(out)} is not a valid URL`, []);
  }
  // Defence in depth: the checks above already keep the structure; a surprise here is a bug.
  const literalUserinfo = layout.at !== -1;
  if (!literalUserinfo && (url.username !== '' || url.password !== '')) {
    throw new ExpressionError(`the rendered URL ${show(out)} would carry user info, which a template may never add`, []);
  }
  if (url.protocol.toLowerCase() !== skeleton.slice(0, layout.schemeEnd - 2).toLowerCase() || url.hostname === '') {
    throw new ExpressionError(`the rendered URL ${show(out)} does not keep the template's scheme and host`, []);
  }
  return url.href;
}
