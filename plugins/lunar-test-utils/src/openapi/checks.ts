/* eslint-disable jest/no-export -- this module is the shared test suites other packages' tests call */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/**
 * Jest tests for a `-common` package's `openapi.yaml` (in `dir`): OpenAPI 3
 * with every `$ref` resolvable, and identical to the definition of the
 * catalog API entity `entityName` in `catalog-info.yaml` (which
 * `scripts/sync-openapi-entities.js` writes).
 */
export function describeOpenApiDocument(options: {
  dir: string;
  entityName: string;
}) {
  const { dir, entityName } = options;
  const text = fs.readFileSync(path.join(dir, 'openapi.yaml'), 'utf8');
  const doc = parse(text);

  describe('openapi.yaml', () => {
    it('is OpenAPI 3 with every $ref resolvable', () => {
      expect(doc.openapi).toMatch(/^3\./);
      const refs: string[] = [];
      const walk = (v: unknown) => {
        if (Array.isArray(v)) v.forEach(walk);
        else if (v && typeof v === 'object') {
          for (const [k, x] of Object.entries(v)) {
            if (k === '$ref' && typeof x === 'string') refs.push(x);
            else walk(x);
          }
        }
      };
      walk(doc);
      expect(refs.length).toBeGreaterThan(3);
      for (const ref of refs) {
        const target = ref
          .replace(/^#\//, '')
          .split('/')
          .reduce((node: any, key) => node?.[key], doc);
        expect({ ref, found: target !== undefined }).toEqual({
          ref,
          found: true,
        });
      }
    });

    it(`is what the catalog serves as ${entityName}`, () => {
      const entity = parse(
        fs.readFileSync(path.join(dir, 'catalog-info.yaml'), 'utf8'),
      );
      expect(entity.metadata.name).toBe(entityName);
      // When this fails, run: node scripts/sync-openapi-entities.js
      expect(entity.spec.definition).toBe(text);
    });
  });
}

/**
 * The `method path` pairs an Express router serves, with `:id` written as
 * OpenAPI's `{id}`, to compare with a document's paths.
 */
export function servedOperations(router: unknown): string[] {
  const served = new Set<string>();
  for (const layer of (router as { stack: any[] }).stack) {
    if (!layer.route) continue;
    for (const method of Object.keys(layer.route.methods)) {
      served.add(`${method} ${layer.route.path.replace(/:(\w+)/g, '{$1}')}`);
    }
  }
  return [...served].sort();
}
