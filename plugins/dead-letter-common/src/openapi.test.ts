import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const dir = path.resolve(__dirname, '..');
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
    expect(refs.length).toBeGreaterThan(10);
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

  it('is what the catalog serves as dead-letter-http', () => {
    const entity = parse(
      fs.readFileSync(path.join(dir, 'catalog-info.yaml'), 'utf8'),
    );
    expect(entity.metadata.name).toBe('dead-letter-http');
    // When this fails, run: node scripts/sync-openapi-entities.js
    expect(entity.spec.definition).toBe(text);
  });
});
