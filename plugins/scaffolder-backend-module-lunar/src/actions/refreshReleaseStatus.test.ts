import http from 'node:http';
import { AddressInfo } from 'node:net';
import { mockServices } from '@backstage/backend-test-utils';
import { createRefreshReleaseStatusAction } from './refreshReleaseStatus';

interface Seen {
  method?: string;
  url?: string;
  authorization?: string;
  body: unknown;
}

/** A stand-in release-status backend answering POST /refresh from `answers`. */
async function standIn(answers: { status: number; body: unknown }[]) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', c => {
      raw += c;
    });
    req.on('end', () => {
      seen.push({
        method: req.method,
        url: req.url,
        authorization: req.headers.authorization,
        body: raw ? JSON.parse(raw) : undefined,
      });
      const answer = answers.shift() ?? { status: 500, body: {} };
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    seen,
    discovery: mockServices.discovery.mock({
      getBaseUrl: async (pluginId: string) => `${url}/api/${pluginId}`,
    }),
    close: () => new Promise(r => server.close(r)),
  };
}

function makeCtx(input: object, isDryRun = false) {
  const outputs: Record<string, unknown> = {};
  const logger = mockServices.logger.mock();
  const ctx: any = {
    input,
    isDryRun,
    logger,
    output: (k: string, v: unknown) => {
      outputs[k] = v;
    },
  };
  return { ctx, outputs, logger };
}

const computed = {
  entityRef: 'component:default/payment-events',
  computedAt: '2026-12-07T18:00:00.000Z',
  freshness: { state: 'computed', checkedAt: '2026-12-07T18:00:00.000Z' },
};
const notFound = {
  error: {
    name: 'NotFoundError',
    message: 'No entity component:default/payment-events in the catalog',
  },
};

describe('lunar:release-status:refresh', () => {
  const auth = mockServices.auth({ pluginId: 'scaffolder' });

  it("POSTs the component to release-status's /refresh with the scaffolder's service token", async () => {
    const rs = await standIn([{ status: 200, body: computed }]);
    try {
      const action = createRefreshReleaseStatusAction({
        auth,
        discovery: rs.discovery,
      });
      const { ctx, outputs } = makeCtx({ entityRef: 'payment-events' });
      await action.handler(ctx);
      expect(rs.seen).toHaveLength(1);
      expect(rs.seen[0]).toMatchObject({
        method: 'POST',
        url: '/api/release-status/refresh',
        body: { entityRef: 'component:default/payment-events' },
      });
      // The scaffolder's own service token, for release-status.
      const token = rs.seen[0].authorization!.replace(/^Bearer /, '');
      expect(JSON.parse(token.replace(/^mock-service-token:/, ''))).toEqual({
        sub: 'plugin:scaffolder',
        target: 'release-status',
      });
      expect(outputs).toEqual({
        computed: true,
        computedAt: computed.computedAt,
      });
    } finally {
      await rs.close();
    }
  });

  it('asks again while the catalog does not have the component yet', async () => {
    const rs = await standIn([
      { status: 404, body: notFound },
      { status: 404, body: notFound },
      { status: 200, body: computed },
    ]);
    try {
      const action = createRefreshReleaseStatusAction({
        auth,
        discovery: rs.discovery,
      });
      const { ctx, outputs } = makeCtx({
        entityRef: 'component:default/payment-events',
        waitSeconds: 10,
      });
      await action.handler(ctx);
      expect(rs.seen).toHaveLength(3);
      expect(outputs.computed).toBe(true);
    } finally {
      await rs.close();
    }
  });

  it('warns and lets the run go on when release-status refuses or is away', async () => {
    const rs = await standIn([
      { status: 404, body: notFound },
      {
        status: 403,
        body: {
          error: {
            name: 'NotAllowedError',
            message:
              'not allowed to refresh release status (release-status.refresh)',
          },
        },
      },
    ]);
    try {
      const action = createRefreshReleaseStatusAction({
        auth,
        discovery: rs.discovery,
      });
      // No wait: a 404 is not asked again.
      const missing = makeCtx({ entityRef: 'payment-events' });
      await action.handler(missing.ctx);
      expect(missing.outputs).toEqual({ computed: false });
      expect(missing.logger.warn).toHaveBeenCalledWith(
        expect.stringMatching(
          /404: No entity component:default\/payment-events in the catalog\); it will be computed by the next scheduled refresh/,
        ),
      );
      const refused = makeCtx({ entityRef: 'payment-events', waitSeconds: 5 });
      await action.handler(refused.ctx);
      expect(refused.outputs).toEqual({ computed: false });
      expect(refused.logger.warn).toHaveBeenCalledWith(
        expect.stringContaining('403: not allowed to refresh release status'),
      );
      expect(rs.seen).toHaveLength(2);
    } finally {
      await rs.close();
    }

    // Nothing listening at all.
    const away = createRefreshReleaseStatusAction({
      auth,
      discovery: mockServices.discovery.mock({
        getBaseUrl: async () => 'http://127.0.0.1:1/api/release-status',
      }),
    });
    const down = makeCtx({ entityRef: 'payment-events' });
    await away.handler(down.ctx);
    expect(down.outputs).toEqual({ computed: false });
  });

  it('asks nothing in a dry run, and refuses what is no entity reference', async () => {
    const rs = await standIn([]);
    try {
      const action = createRefreshReleaseStatusAction({
        auth,
        discovery: rs.discovery,
      });
      const dry = makeCtx({ entityRef: 'payment-events' }, true);
      await action.handler(dry.ctx);
      expect(dry.outputs).toEqual({ computed: false });
      await expect(
        action.handler(makeCtx({ entityRef: 'component:default/' }).ctx),
      ).rejects.toThrow(/is not an entity reference/);
      expect(rs.seen).toHaveLength(0);
    } finally {
      await rs.close();
    }
  });
});
