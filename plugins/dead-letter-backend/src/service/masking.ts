/**
 * Masking of customer data in what the API shows of a message: configured
 * JSON paths in JSON bodies and configured header names. Only the response
 * is masked; the stored bytes (and so redelivery) are never touched.
 *
 * The JSON path dialect is the small, common subset that masking needs:
 * `$.a.b`, `$['a b']`, `$.items[*].pan`, `$.items[0]`, `$.*`, and
 * recursive descent `$..cardNumber` / `$..['card number']` / `$..*`.
 * Filters, slices and unions are rejected when the config is read.
 */

/** One step of a parsed path. */
type Selector =
  | { kind: 'name'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'wildcard' };

type Segment = { descend: boolean; selector: Selector };

/** A parsed JSON path, ready to apply. */
export interface JsonPath {
  /** The path as configured. */
  source: string;
  segments: Segment[];
}

const NAME = /^[A-Za-z0-9_$-]+/;

/**
 * Parses a JSON path, throwing an Error that names the path and what is
 * wrong with it.
 */
export function parseJsonPath(source: string): JsonPath {
  const fail = (why: string): never => {
    throw new Error(`invalid JSON path '${source}': ${why}`);
  };
  if (typeof source !== 'string' || !source.startsWith('$')) {
    fail("it must start with '$'");
  }
  const segments: Segment[] = [];
  let i = 1;
  while (i < source.length) {
    let descend = false;
    const c = source[i];
    if (c === '.') {
      if (source[i + 1] === '.') {
        descend = true;
        i += 2;
      } else {
        i += 1;
      }
      if (source[i] === '[') {
        if (!descend) fail(`'.[' at position ${i}`);
        continue;
      }
      if (source[i] === '*') {
        segments.push({ descend, selector: { kind: 'wildcard' } });
        i += 1;
        continue;
      }
      const m = NAME.exec(source.slice(i));
      if (!m) fail(`expected a field name at position ${i}`);
      segments.push({ descend, selector: { kind: 'name', name: m![0] } });
      i += m![0].length;
      continue;
    }
    if (c === '[') {
      const close = findClose(source, i);
      if (close < 0) fail(`unclosed '[' at position ${i}`);
      const inner = source.slice(i + 1, close).trim();
      let selector: Selector;
      if (inner === '*') selector = { kind: 'wildcard' };
      else if (/^\d+$/.test(inner))
        selector = { kind: 'index', index: Number(inner) };
      else if (/^'(?:[^'\\]|\\.)*'$|^"(?:[^"\\]|\\.)*"$/.test(inner))
        selector = {
          kind: 'name',
          name: inner.slice(1, -1).replace(/\\(.)/g, '$1'),
        };
      else {
        selector = fail(
          `'[${inner}]' is not supported (use a quoted name, an index or *)`,
        );
      }
      // `$..[x]`: the descent was consumed by the '..' before the bracket.
      const prev = source.slice(i - 2, i);
      segments.push({ descend: prev === '..', selector });
      i = close + 1;
      continue;
    }
    fail(`unexpected '${c}' at position ${i}`);
  }
  if (segments.length === 0) fail('it selects the whole body, not a field');
  return { source, segments };
}

/** The index of the `]` closing the `[` at `open`, quotes respected. */
function findClose(s: string, open: number): number {
  let quote: string | null = null;
  for (let i = open + 1; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === ']') return i;
  }
  return -1;
}

type Container = Record<string, unknown> | unknown[];
type Match = { parent: Container; key: string | number };

const isContainer = (v: unknown): v is Container =>
  v !== null && typeof v === 'object';

function select(node: unknown, selector: Selector): Match[] {
  if (!isContainer(node)) return [];
  if (Array.isArray(node)) {
    if (selector.kind === 'wildcard')
      return node.map((_, key) => ({ parent: node, key }));
    if (selector.kind === 'index' && selector.index < node.length)
      return [{ parent: node, key: selector.index }];
    return [];
  }
  if (selector.kind === 'wildcard')
    return Object.keys(node).map(key => ({ parent: node, key }));
  if (
    selector.kind === 'name' &&
    Object.prototype.hasOwnProperty.call(node, selector.name)
  )
    return [{ parent: node, key: selector.name }];
  return [];
}

/** Every container at or below `node`. */
function containers(node: unknown, out: Container[] = []): Container[] {
  if (!isContainer(node)) return out;
  out.push(node);
  for (const v of Array.isArray(node) ? node : Object.values(node))
    containers(v, out);
  return out;
}

const valueOf = (m: Match) => (m.parent as any)[m.key] as unknown;

/** Where a path points in a parsed JSON document. */
function matches(root: unknown, path: JsonPath): Match[] {
  let current: Match[] = [{ parent: [root], key: 0 }];
  for (const { descend, selector } of path.segments) {
    const next: Match[] = [];
    for (const m of current) {
      const nodes = descend ? containers(valueOf(m)) : [valueOf(m)];
      for (const n of nodes) next.push(...select(n, selector));
    }
    current = next;
    if (current.length === 0) break;
  }
  return current;
}

/** Masking rules of one environment. */
export interface MaskingRules {
  jsonPaths: JsonPath[];
  /** Lower-case header names. */
  headers: string[];
  replacement: string;
}

/** The masked view of a message's content, and what was masked. */
export interface MaskedContent {
  headers: Record<string, unknown>;
  body: Buffer;
  bodyText: string | null;
  /** Configured paths that matched and header names that were present. */
  masked: string[];
  /**
   * The body looks like JSON but is not (for example cut at the size
   * limit), so its masked fields cannot be found: it is not shown.
   */
  bodyWithheld: boolean;
}

/**
 * Whether a body that does not parse as JSON was meant to be JSON: its
 * content type says so, or it starts like an object or array.
 */
function looksLikeJson(
  text: string | null,
  properties: Record<string, unknown>,
): boolean {
  const type = properties.contentType;
  if (typeof type === 'string' && /json/i.test(type)) return true;
  return text !== null && /^\s*[[{]/.test(text);
}

/**
 * Applies the rules to a message's headers and body. The inputs are not
 * changed. Non-JSON bodies are returned as they are; JSON bodies with the
 * configured paths replaced; a body that should be JSON but does not parse
 * is withheld when there are paths to mask.
 */
export function maskContent(
  rules: MaskingRules,
  content: {
    headers: Record<string, unknown>;
    properties: Record<string, unknown>;
    body: Buffer;
    bodyText: string | null;
  },
): MaskedContent {
  const masked: string[] = [];
  let headers = content.headers;
  if (rules.headers.length > 0) {
    headers = {};
    for (const [name, value] of Object.entries(content.headers)) {
      if (rules.headers.includes(name.toLowerCase())) {
        headers[name] = rules.replacement;
        masked.push(`header ${name}`);
      } else {
        headers[name] = value;
      }
    }
  }
  let { body, bodyText } = content;
  let bodyWithheld = false;
  if (rules.jsonPaths.length > 0) {
    let doc: unknown;
    let parsed = false;
    if (bodyText !== null) {
      try {
        doc = JSON.parse(bodyText);
        parsed = true;
      } catch {
        parsed = false;
      }
    }
    if (parsed) {
      let changed = false;
      for (const path of rules.jsonPaths) {
        const found = matches(doc, path);
        if (found.length === 0) continue;
        masked.push(path.source);
        for (const m of found) (m.parent as any)[m.key] = rules.replacement;
        changed = true;
      }
      if (changed) {
        bodyText = JSON.stringify(doc);
        body = Buffer.from(bodyText, 'utf8');
      }
    } else if (looksLikeJson(bodyText, content.properties)) {
      body = Buffer.alloc(0);
      bodyText = null;
      bodyWithheld = true;
    }
  }
  return { headers, body, bodyText, masked, bodyWithheld };
}

/** Reads masking rules; an invalid path throws naming the config key. */
export function readMaskingRules(
  where: string,
  options: { jsonPaths: string[]; headers: string[]; replacement: string },
): MaskingRules {
  return {
    jsonPaths: options.jsonPaths.map((p, i) => {
      try {
        return parseJsonPath(p);
      } catch (e) {
        throw new Error(`${where}.jsonPaths[${i}]: ${(e as Error).message}`);
      }
    }),
    headers: options.headers.map((h, i) => {
      if (!/^[^\s:]+$/.test(h)) {
        throw new Error(`${where}.headers[${i}]: '${h}' is not a header name`);
      }
      return h.toLowerCase();
    }),
    replacement: options.replacement,
  };
}
