import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import deadLetterPlugin from '@internal/plugin-dead-letter-backend';
import request from 'supertest';

// The quick start (`yarn start`, scripts/quickstart.js) decides what the
// Dead Letter page shows from whether a broker answers.
const { brokerReachable, quickstartConfig } = require(path.resolve(
  __dirname,
  '../../../scripts/quickstart.js',
));

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise(r => server.close(r));
  return port;
}

describe('the quick start without a broker', () => {
  it('finds no broker on a closed port, and its config serves sample dead letters read-only', async () => {
    const port = await closedPort();
    expect(await brokerReachable(`amqp://guest:guest@127.0.0.1:${port}`)).toBe(
      false,
    );

    const config = quickstartConfig({
      releaseManagerUrl: 'http://127.0.0.1:1',
      broker: false,
    });
    expect(config.squadOverview).toBeUndefined();
    const [env] = config.deadLetter.environments;
    expect(env.amqp).toBeUndefined();
    expect(fs.existsSync(env.sample.fixture)).toBe(true);
    const fixture = JSON.parse(fs.readFileSync(env.sample.fixture, 'utf8'));

    const { server } = await startTestBackend({
      features: [
        deadLetterPlugin,
        mockServices.permissions.factory({ result: 'ALLOW' as any }),
        catalogServiceMock.factory({ entities: [] }),
        mockServices.rootConfig.factory({
          data: { deadLetter: config.deadLetter },
        }),
      ],
    });
    const user = {
      Authorization: mockCredentials.user.header('user:default/guest'),
    };
    const envs = await request(server)
      .get('/api/dead-letter/environments')
      .set(user);
    expect(envs.body).toEqual([
      expect.objectContaining({
        name: env.name,
        state: 'sample',
        stored: fixture.messages.length,
      }),
    ]);
    const list = await request(server)
      .get(`/api/dead-letter/dead-letters?environment=${env.name}&limit=5`)
      .set(user);
    expect(list.body.totalCount).toBe(fixture.messages.length);
    const redeliver = await request(server)
      .post('/api/dead-letter/dead-letters/redeliver')
      .set(user)
      .send({ environment: env.name, ids: [list.body.items[0].id] });
    expect(redeliver.status).toBe(409);
  });

  it('with a broker, consumes the quick start queue and feeds the squad pulse', () => {
    const config = quickstartConfig({
      releaseManagerUrl: 'http://127.0.0.1:1',
      broker: true,
    });
    expect(config.deadLetter.environments).toEqual([
      expect.objectContaining({
        name: 'dev',
        amqp: expect.objectContaining({ queue: 'quickstart-dead-letters' }),
      }),
    ]);
    expect(config.squadOverview.releaseEvents.amqp.queue).toBe(
      'quickstart-squad-pulse',
    );
  });
});
