import { mockServices } from '@backstage/backend-test-utils';
import net from 'node:net';
import { RedeliveryPublisher } from './RedeliveryPublisher';
import { AMQP_URL, requireRabbitMq } from '@internal/plugin-lunar-test-utils';

jest.setTimeout(30_000);

const publisher = (url: string) =>
  new RedeliveryPublisher({
    environment: 'dev',
    url,
    logger: mockServices.logger.mock(),
  });

describe('RedeliveryPublisher.checkTargets', () => {
  it('names the exchanges and default-exchange queues missing on the broker', async () => {
    if (!(await requireRabbitMq())) return;
    const p = publisher(AMQP_URL);
    try {
      const result = await p.checkTargets(
        {
          exchanges: ['amq.direct', '', 'lunar-test-no-such-exchange'],
          queues: ['lunar-test-no-such-queue'],
        },
        2_000,
      );
      expect(result).toEqual({
        missingExchanges: new Set(['lunar-test-no-such-exchange']),
        missingQueues: new Set(['lunar-test-no-such-queue']),
        unchecked: new Map(),
      });
    } finally {
      await p.close();
    }
  });

  it('gives up after its timeout when the broker does not answer', async () => {
    // Accepts connections and never speaks AMQP: a hung broker.
    const sockets: net.Socket[] = [];
    const server = net.createServer(s => sockets.push(s));
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    const p = publisher(`amqp://guest:guest@127.0.0.1:${port}`);
    try {
      const t0 = Date.now();
      const result = await p.checkTargets(
        { exchanges: ['bankaccount'], queues: [] },
        500,
      );
      expect(Date.now() - t0).toBeLessThan(1_500);
      expect(result).toEqual({ unreachable: 'no answer within 500 ms' });
    } finally {
      sockets.forEach(s => s.destroy());
      await new Promise(r => server.close(r));
      await p.close();
    }
  });
});
