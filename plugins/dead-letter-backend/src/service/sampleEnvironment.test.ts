import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
import deadLetterPlugin from '..';
import { serviceComponent } from '../__testUtils__/catalog';

/** The quick start's sample file, as `yarn start` uses it without a broker. */
const SAMPLE = path.resolve(
  __dirname,
  '../../../../examples/dead-letters.sample.json',
);
const user = {
  Authorization: mockCredentials.user.header('user:default/mette.hansen'),
};

function start(fixture: string) {
  return startTestBackend({
    features: [
      deadLetterPlugin,
      mockServices.permissions.factory({ result: 'ALLOW' as any }),
      catalogServiceMock.factory({
        entities: [
          serviceComponent('card-clearing', 'group:default/squad-gemini'),
          serviceComponent('dead-letter', 'group:default/squad-nasa'),
        ],
      }),
      mockServices.rootConfig.factory({
        data: {
          deadLetter: {
            environments: [{ name: 'sample', sample: { fixture } }],
          },
        },
      }),
    ],
  });
}

describe('a sample environment (no broker)', () => {
  it('serves the file’s messages as RabbitMQ would have delivered them, read-only', async () => {
    const expected = JSON.parse(fs.readFileSync(SAMPLE, 'utf8')).messages;
    const { server } = await start(SAMPLE);

    const envs = await request(server)
      .get('/api/dead-letter/environments')
      .set(user);
    expect(envs.status).toBe(200);
    expect(envs.body).toEqual([
      expect.objectContaining({
        name: 'sample',
        state: 'sample',
        queue: 'dead-letters.sample.json',
        stored: expected.length,
      }),
    ]);

    const list = await request(server)
      .get('/api/dead-letter/dead-letters')
      .query({ environment: 'sample', service: 'card-clearing', limit: 200 })
      .set(user);
    expect(list.status).toBe(200);
    const cardClearing = expected.filter(
      (m: { queue: string }) => m.queue === 'dev-k8s-events_card-clearing',
    );
    expect(list.body.totalCount).toBe(cardClearing.length);
    const first = list.body.items[0];
    expect(first).toMatchObject({
      service: 'card-clearing',
      squad: 'squad-gemini',
      queue: 'dev-k8s-events_card-clearing',
      exchange: 'dev.lunar.events',
      reason: 'rejected',
    });
    expect(first.error).toMatch(/^ctx handler: /);
    // Dead-lettered at the file's times before start, newest first.
    const newest = Math.min(
      ...cardClearing.map((m: { minutesAgo: number }) => m.minutesAgo),
    );
    const age = (Date.now() - Date.parse(first.deadLetteredAt)) / 60_000;
    expect(Math.abs(age - newest)).toBeLessThan(2);

    // Redeliver and delete are refused with the reason; nothing changes.
    const ids = list.body.items.slice(0, 2).map((i: { id: string }) => i.id);
    for (const [method, url] of [
      ['post', '/api/dead-letter/dead-letters/redeliver'],
      ['delete', '/api/dead-letter/dead-letters'],
    ] as const) {
      const res = await request(server)
        [method](url)
        .set(user)
        .send({ environment: 'sample', ids });
      expect(res.status).toBe(409);
      expect(res.body.error.message).toContain('read-only sample messages');
    }
    const again = await request(server)
      .get('/api/dead-letter/dead-letters')
      .query({ environment: 'sample', service: 'card-clearing', limit: 200 })
      .set(user);
    expect(again.body.totalCount).toBe(cardClearing.length);
  });

  it('refuses to start on a sample file it cannot read, naming it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dead-letter-sample-'));
    const bad = path.join(dir, 'broken.json');
    fs.writeFileSync(bad, '{"messages": [{"queue": 7}]}');
    try {
      await expect(start(bad)).rejects.toThrow(
        /'sample': cannot read sample file broken\.json/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
