import express from 'express';
import { OpenApiDocument } from './document';
import { fuzzOpenApi, seededRandom } from './fuzz';

const document = new OpenApiDocument({
  openapi: '3.0.3',
  info: { title: 'buggy', version: '1' },
  paths: {
    '/items': {
      get: {
        operationId: 'listItems',
        parameters: [
          {
            name: 'limit',
            in: 'query',
            required: true,
            schema: { type: 'integer', minimum: 1, maximum: 10 },
          },
        ],
        responses: {
          '200': {
            description: 'ok',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['items'],
                  properties: {
                    items: { type: 'array', items: { type: 'integer' } },
                    note: { type: 'string', nullable: true },
                  },
                },
              },
            },
          },
          '400': { $ref: '#/components/responses/BadRequest' },
        },
      },
    },
  },
  components: {
    responses: {
      BadRequest: {
        description: 'bad',
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['error'],
              properties: { error: { type: 'object' } },
            },
          },
        },
      },
    },
  },
});

/** An API with one bug of every kind the fuzzer looks for. */
function buggyApp() {
  const app = express();
  app.get('/items', (req, res) => {
    const raw = req.query.limit;
    if (raw === '') {
      res.status(400).json({ error: {} }); // no reason
      return;
    }
    if (typeof raw !== 'string') {
      res.status(500).json({ error: { message: 'boom' } }); // 5xx
      return;
    }
    const limit = Number(raw);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10) {
      res.status(400).json({ error: { message: 'limit is 1-10' } });
      return;
    }
    if (limit === 7) {
      res.json({ items: 'seven' }); // does not match the schema
      return;
    }
    if (limit === 8) {
      res.status(202).json({}); // undocumented status
      return;
    }
    res.json({ items: Array.from({ length: limit }, (_, i) => i), note: null });
  });
  return app;
}

describe('fuzzOpenApi', () => {
  it('finds 5xx, reasonless 4xx, schema mismatches and undocumented statuses', async () => {
    const report = await fuzzOpenApi({
      document,
      server: buggyApp(),
      basePath: '',
      seed: 1,
      principals: { anyone: {} },
      casesPerOperation: 300,
      values: { limit: ['7', '8', '3'] },
    });
    const problems = new Set(report.failures.map(f => f.problem));
    expect([...problems].sort()).toEqual(
      expect.arrayContaining([
        '4xx without a reason (error.message)',
        'server error',
        'does not match the document: status 202 is not documented',
        'does not match the document: /items must be array',
      ]),
    );
    expect(report.okByOperation.listItems).toBeGreaterThan(0);
  });

  it('makes the same requests for the same seed', async () => {
    const run = async (seed: number) => {
      const seen: string[] = [];
      const app = express();
      app.use((req, res) => {
        seen.push(req.url);
        res.status(400).json({ error: { message: 'no' } });
      });
      await fuzzOpenApi({
        document,
        server: app,
        basePath: '',
        seed,
        principals: { anyone: {} },
        casesPerOperation: 30,
      });
      return seen;
    };
    const first = await run(42);
    expect(await run(42)).toEqual(first);
    expect(await run(43)).not.toEqual(first);
  });

  it('draws reproducible numbers from a seed', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(xs.every(x => x >= 0 && x < 1)).toBe(true);
  });
});
