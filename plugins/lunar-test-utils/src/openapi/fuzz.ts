import type { Server } from 'node:http';
import request from 'supertest';
import { OpenApiDocument, Operation } from './document';

/** A deterministic pseudo-random generator (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Values no API should choke on: wrong types and sizes, unicode, bad
 * cursors and ids, SQL and JSON injection.
 */
export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  'null',
  'undefined',
  'true',
  '-1',
  '0',
  '1.5',
  '1e309',
  'NaN',
  'Infinity',
  '99999999999999999999999',
  '-9223372036854775809',
  '0x1F',
  '[]',
  '{}',
  '{"$gt":""}',
  '{"__proto__":{"admin":true}}',
  '__proto__',
  'constructor',
  "' OR '1'='1' --",
  '"; DROP TABLE dead_letters; --',
  '1; select pg_sleep(5)',
  "1' union select password from users --",
  '\u0000',
  'a\u0000b',
  'ÆØÅ æøå Straße 🚀 \u202e\u200b',
  '\ud800',
  'x'.repeat(10_000),
  'a'.repeat(300),
  '../../etc/passwd',
  '<script>alert(1)</script>',
  '${jndi:ldap://example.invalid/a}',
  '{{7*7}}',
  '%',
  '%00',
  'group:default/',
  'group:',
  ':::',
  'user:default/x',
  'component:default/x',
  'eyJpZCI6Ii0xIiwiYXQiOiJub3QtYS1kYXRlIn0',
  'Zm9vYmFy',
  '!!!',
  '2026-13-45T99:99:99Z',
  '9999-12-31T23:59:59Z',
];

/** Options of {@link fuzzOpenApi}. */
export interface FuzzOptions {
  document: OpenApiDocument;
  /** The HTTP server (startTestBackend's `server`) or an Express app. */
  server: Server | ((...args: any[]) => any);
  /** Where the document's paths are mounted, e.g. `/api/dead-letter`. */
  basePath: string;
  /** Same seed, same requests. */
  seed: number;
  /** Who calls: name to request headers. */
  principals: Record<string, Record<string, string>>;
  /**
   * Values that get past the first checks, by parameter or body field
   * name (for example a configured environment); mixed with generated ones.
   */
  values?: Record<string, unknown[]>;
  /** Requests per operation and principal (default 40). */
  casesPerOperation?: number;
  /** Fewer (or more) for some principals, e.g. `{ none: 5 }`. */
  casesFor?: Record<string, number>;
  /** Stop making new requests after this long (default 50 s). */
  timeBudgetMs?: number;
  /** Undocumented statuses that are not failures (default 413). */
  allowUndocumented?: number[];
}

/** One request that broke a rule. */
export interface FuzzFailure {
  operationId: string;
  principal: string;
  request: string;
  status: number;
  problem: string;
  body: string;
}

/** What {@link fuzzOpenApi} did and found. */
export interface FuzzReport {
  requests: number;
  byStatus: Record<number, number>;
  /** operationId to the number of 2xx answers it gave. */
  okByOperation: Record<string, number>;
  failures: FuzzFailure[];
}

type Query = Array<[string, string]>;
interface Case {
  path: Record<string, string>;
  query: Query;
  body?: { json: unknown } | { raw: string; type: string };
}

/**
 * Drives every operation of an OpenAPI document with generated valid and
 * invalid input, as each principal, and checks every answer: no 5xx, every
 * 4xx has a reason (`error.message`), and every answer has a documented
 * status and matches its schema.
 */
export async function fuzzOpenApi(options: FuzzOptions): Promise<FuzzReport> {
  const rnd = seededRandom(options.seed);
  const pick = <T>(items: readonly T[]): T =>
    items[Math.floor(rnd() * items.length)];
  const values = options.values ?? {};
  const deadline = Date.now() + (options.timeBudgetMs ?? 50_000);
  const allowUndocumented = options.allowUndocumented ?? [413];
  const report: FuzzReport = {
    requests: 0,
    byStatus: {},
    okByOperation: {},
    failures: [],
  };

  const generate = (schema: any, name: string, depth = 0): unknown => {
    if (values[name]?.length && rnd() < 0.8) return pick(values[name]);
    if (!schema || depth > 4) return 'x';
    if (schema.enum) return pick(schema.enum);
    if (schema.oneOf || schema.anyOf) {
      return generate(pick(schema.oneOf ?? schema.anyOf), name, depth + 1);
    }
    switch (schema.type) {
      case 'integer':
      case 'number': {
        const min = schema.minimum ?? 0;
        const max = Math.min(schema.maximum ?? min + 100, min + 1000);
        return min + Math.floor(rnd() * (max - min + 1));
      }
      case 'boolean':
        return rnd() < 0.5;
      case 'array': {
        const n = 1 + Math.floor(rnd() * 3);
        return Array.from({ length: n }, () =>
          generate(schema.items, name, depth + 1),
        );
      }
      case 'object': {
        const out: Record<string, unknown> = {};
        const required: string[] = schema.required ?? [];
        for (const [k, s] of Object.entries<any>(schema.properties ?? {})) {
          if (required.includes(k) || rnd() < 0.4) {
            out[k] = generate(s, k, depth + 1);
          }
        }
        return out;
      }
      default:
        if (schema.format === 'date-time') {
          return new Date(
            Date.UTC(2026, 10, 1) + Math.floor(rnd() * 40 * 86_400_000),
          ).toISOString();
        }
        return `x${Math.floor(rnd() * 1e6).toString(36)}`;
    }
  };

  const hostileValue = (): unknown => {
    const r = rnd();
    if (r < 0.6) return pick(HOSTILE_STRINGS);
    if (r < 0.7) return Math.floor(rnd() * 2 ** 53) * (rnd() < 0.5 ? -1 : 1);
    if (r < 0.75) return null;
    if (r < 0.8) return true;
    if (r < 0.85) return { $ne: null };
    if (r < 0.9) return [pick(HOSTILE_STRINGS)];
    if (r < 0.95) return Array.from({ length: 20_000 }, (_, i) => String(i));
    return 1.5;
  };

  const validCase = (op: Operation): Case => {
    const c: Case = { path: {}, query: [] };
    for (const p of op.parameters) {
      if (p.in === 'header' || p.in === 'cookie') continue;
      if (!p.required && rnd() < 0.5) continue;
      const v = String(generate(p.schema, p.name));
      if (p.in === 'path') c.path[p.name] = v;
      else c.query.push([p.name, v]);
    }
    if (op.requestBody) {
      c.body = { json: generate(op.requestBody.schema, 'body') };
    }
    return c;
  };

  const mutate = (op: Operation, base: Case): Case => {
    const c: Case = {
      path: { ...base.path },
      query: [...base.query],
      body: base.body,
    };
    const params = op.parameters.filter(
      p => p.in === 'query' || p.in === 'path',
    );
    const kind = rnd();
    if (params.length && kind < 0.55) {
      const p = pick(params);
      const v = pick(HOSTILE_STRINGS);
      if (p.in === 'path') {
        c.path[p.name] = v || '%';
      } else {
        c.query = c.query.filter(([k]) => k !== p.name);
        const shape = rnd();
        if (shape < 0.7) c.query.push([p.name, v]);
        else if (shape < 0.8) c.query.push([p.name, v], [p.name, 'again']);
        else if (shape < 0.9) c.query.push([`${p.name}[a]`, v]);
        // else: left out, required or not
      }
    } else if (kind < 0.65) {
      c.query.push([
        pick(['unexpected', 'limit[]', '__proto__', '$where']),
        pick(HOSTILE_STRINGS),
      ]);
    } else if (op.requestBody) {
      const body = c.body && 'json' in c.body ? c.body.json : {};
      const r = rnd();
      if (r < 0.1)
        c.body = { raw: '{"environment":', type: 'application/json' };
      else if (r < 0.15)
        c.body = { raw: 'environment=dev', type: 'text/plain' };
      else if (r < 0.25) c.body = { json: hostileValue() };
      else if (body && typeof body === 'object' && !Array.isArray(body)) {
        const copy: Record<string, unknown> = { ...(body as object) };
        const keys = Object.keys(copy);
        const s = rnd();
        if (keys.length && s < 0.3) delete copy[pick(keys)];
        else if (keys.length && s < 0.8) copy[pick(keys)] = hostileValue();
        else
          copy[pick(['extra', '__proto__', 'constructor', 'ids', 'filter'])] =
            hostileValue();
        c.body = { json: copy };
      }
    } else if (params.length) {
      const p = pick(params);
      c.query = c.query.filter(([k]) => k !== p.name);
      if (p.in === 'path') c.path[p.name] = pick(HOSTILE_STRINGS) || '%';
    }
    return c;
  };

  const url = (op: Operation, c: Case) => {
    const path = op.path.replace(/\{(\w+)\}/g, (_, name) =>
      encodeURIComponent(c.path[name] ?? 'x').replace(/%2F/gi, '%2F'),
    );
    const qs = c.query
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
      .join('&');
    return `${options.basePath}${path}${qs ? `?${qs}` : ''}`;
  };

  const send = async (
    op: Operation,
    principal: string,
    headers: Record<string, string>,
    c: Case,
  ) => {
    let target: string;
    try {
      target = url(op, c);
    } catch {
      // A lone surrogate cannot be percent-encoded; send it raw.
      target = `${options.basePath}${op.path}`;
    }
    let req = (request(options.server as any) as any)
      [op.method](target)
      .set(headers);
    if (c.body && 'json' in c.body) {
      // Serialized here: supertest sends only objects and arrays as JSON.
      req = req
        .set('content-type', 'application/json')
        .send(JSON.stringify(c.body.json) ?? 'null');
    } else if (c.body)
      req = req.set('content-type', c.body.type).send(c.body.raw);
    const res = await req;
    report.requests += 1;
    report.byStatus[res.status] = (report.byStatus[res.status] ?? 0) + 1;
    const described = `${op.method.toUpperCase()} ${target.slice(0, 300)}${
      c.body
        ? ` body ${JSON.stringify(
            'json' in c.body ? c.body.json : c.body.raw,
          )?.slice(0, 200)}`
        : ''
    }`;
    const fail = (problem: string) =>
      report.failures.push({
        operationId: op.operationId,
        principal,
        request: described,
        status: res.status,
        problem,
        body: String(res.text ?? '').slice(0, 500),
      });
    if (res.status >= 200 && res.status < 300) {
      report.okByOperation[op.operationId] =
        (report.okByOperation[op.operationId] ?? 0) + 1;
    }
    if (res.status >= 500) fail('server error');
    if (res.status >= 400 && res.status < 500) {
      const message = res.body?.error?.message;
      if (typeof message !== 'string' || !message.trim()) {
        fail('4xx without a reason (error.message)');
      }
    }
    const problems = options.document.problems(op, res.status, res.body);
    const undocumentedOk =
      allowUndocumented.includes(res.status) &&
      problems.length === 1 &&
      problems[0].startsWith('status ');
    if (problems.length && !undocumentedOk) {
      fail(`does not match the document: ${problems.slice(0, 3).join('; ')}`);
    }
  };

  const casesPerOperation = options.casesPerOperation ?? 40;
  const [firstPrincipal] = Object.keys(options.principals);
  // Reads first: writes (a valid delete, say) may remove what reads need.
  const operations = [...options.document.operations].sort(
    (a, b) => Number(a.method !== 'get') - Number(b.method !== 'get'),
  );
  for (const op of operations) {
    for (const [principal, headers] of Object.entries(options.principals)) {
      const n = options.casesFor?.[principal] ?? casesPerOperation;
      for (let i = 0; i < n && Date.now() < deadline; i++) {
        const base = validCase(op);
        // A quarter valid, the rest mutated.
        await send(
          op,
          principal,
          headers,
          i % 4 === 0 ? base : mutate(op, base),
        );
      }
    }
    // Then every hostile string in every parameter, as the first principal.
    const headers = options.principals[firstPrincipal];
    for (const p of op.parameters) {
      if (p.in !== 'query' && p.in !== 'path') continue;
      for (const value of HOSTILE_STRINGS) {
        if (Date.now() >= deadline) break;
        // An empty path segment is another route, not a bad value.
        if (p.in === 'path' && !value) continue;
        const c = validCase(op);
        if (p.in === 'path') c.path[p.name] = value;
        else
          c.query = [...c.query.filter(([k]) => k !== p.name), [p.name, value]];
        await send(op, firstPrincipal, headers, c);
      }
    }
  }
  return report;
}
