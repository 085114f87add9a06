import fs from 'node:fs';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

/** A JSON value as parsed from YAML. */
type Json = any;

/** One operation of an OpenAPI document, with every $ref resolved. */
export interface Operation {
  method: string;
  /** As written in the document, e.g. `/dead-letters/{id}`. */
  path: string;
  operationId: string;
  parameters: Array<{
    name: string;
    in: 'query' | 'path' | 'header' | 'cookie';
    required: boolean;
    schema: Json;
  }>;
  requestBody?: { required: boolean; schema: Json };
  /** Status code (or `default`) to the response's JSON schema, if any. */
  responses: Record<string, Json | undefined>;
}

/** Resolves local `$ref`s (`#/components/...`) recursively. */
function deref(doc: Json, node: Json, seen: string[] = []): Json {
  if (Array.isArray(node)) return node.map(n => deref(doc, n, seen));
  if (!node || typeof node !== 'object') return node;
  if (typeof node.$ref === 'string') {
    const ref: string = node.$ref;
    if (seen.includes(ref)) throw new Error(`recursive $ref ${ref}`);
    const target = ref
      .replace(/^#\//, '')
      .split('/')
      .reduce((n: Json, k: string) => n?.[k], doc);
    if (target === undefined) throw new Error(`unresolvable $ref ${ref}`);
    return deref(doc, target, [...seen, ref]);
  }
  return Object.fromEntries(
    Object.entries(node).map(([k, v]) => [k, deref(doc, v, seen)]),
  );
}

/** OpenAPI 3.0's schema dialect to JSON Schema (`nullable` mainly). */
export function toJsonSchema(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Json = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'nullable' || k === 'example' || k === 'xml') continue;
    out[k] =
      k === 'properties'
        ? Object.fromEntries(
            Object.entries(v as Json).map(([p, s]) => [p, toJsonSchema(s)]),
          )
        : toJsonSchema(v);
  }
  if (schema.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) {
      out.enum = [...out.enum, null];
    }
    if (out.oneOf || out.anyOf || out.allOf) {
      return { anyOf: [out, { type: 'null' }] };
    }
  }
  return out;
}

/** An OpenAPI document: its operations and a response validator. */
export class OpenApiDocument {
  readonly operations: Operation[];
  readonly raw: Json;
  readonly #ajv: Ajv;
  readonly #validators = new Map<string, ValidateFunction>();

  static fromFile(file: string): OpenApiDocument {
    return new OpenApiDocument(parse(fs.readFileSync(file, 'utf8')));
  }

  constructor(raw: Json) {
    this.raw = raw;
    this.#ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.#ajv);
    const operations: Operation[] = [];
    for (const [path, item] of Object.entries<Json>(raw.paths ?? {})) {
      const shared = deref(raw, item.parameters ?? []);
      for (const method of ['get', 'put', 'post', 'delete', 'patch']) {
        const op = item[method];
        if (!op) continue;
        const parameters = [...shared, ...deref(raw, op.parameters ?? [])].map(
          (p: Json) => ({
            name: p.name,
            in: p.in,
            required: !!p.required || p.in === 'path',
            schema: p.schema ?? { type: 'string' },
          }),
        );
        const body = op.requestBody ? deref(raw, op.requestBody) : undefined;
        const responses: Record<string, Json> = {};
        for (const [status, response] of Object.entries<Json>(
          op.responses ?? {},
        )) {
          const r = deref(raw, response);
          responses[status] = r?.content?.['application/json']?.schema;
        }
        operations.push({
          method,
          path,
          operationId: op.operationId ?? `${method} ${path}`,
          parameters,
          requestBody: body && {
            required: !!body.required,
            schema: body.content?.['application/json']?.schema ?? {},
          },
          responses,
        });
      }
    }
    this.operations = operations;
  }

  /**
   * What is wrong with an answer according to the document: an
   * undocumented status, or a body that does not match the schema.
   * Empty when it is right.
   */
  problems(op: Operation, status: number, body: unknown): string[] {
    // The exact status, else its class (4XX), else `default`.
    const key = [String(status), `${String(status)[0]}XX`, 'default'].find(
      k => k in op.responses,
    );
    if (!key) return [`status ${status} is not documented`];
    const schema = op.responses[key];
    if (!schema) return [];
    const id = `${op.method} ${op.path} ${key}`;
    let validate = this.#validators.get(id);
    if (!validate) {
      validate = this.#ajv.compile(toJsonSchema(schema));
      this.#validators.set(id, validate);
    }
    if (validate(body)) return [];
    return (validate.errors ?? []).map(
      e => `${e.instancePath || '(body)'} ${e.message}`,
    );
  }
}
