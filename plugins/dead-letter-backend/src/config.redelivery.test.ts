import { ConfigReader } from '@backstage/config';
import { readDeadLetterConfig } from './config';

const read = (deadLetter: object) =>
  readDeadLetterConfig(new ConfigReader({ deadLetter }));

describe('redelivery rates in config', () => {
  it('defaults to 100 msg/s, at most 1000, plugin-wide then per environment', () => {
    const config = read({
      redelivery: { maxRate: 300 },
      environments: [
        { name: 'dev', amqp: { url: 'amqp://x' } },
        {
          name: 'prod',
          amqp: { url: 'amqp://x' },
          redelivery: { defaultRate: 20, maxRate: 50, autoPauseRatio: 0 },
        },
      ],
    });
    expect(config.environments.map(e => e.redelivery)).toEqual([
      {
        defaultRate: 100,
        maxRate: 300,
        autoPauseRatio: 0.1,
        autoPauseMinimum: 20,
      },
      { defaultRate: 20, maxRate: 50, autoPauseRatio: 0, autoPauseMinimum: 20 },
    ]);
  });

  it('refuses rates that are not positive, and a default above the maximum', () => {
    expect(() => read({ redelivery: { autoPauseRatio: 1.5 } })).toThrow(
      /autoPauseRatio: must be a share from 0 \(off\) to 1/,
    );
    expect(() => read({ redelivery: { autoPauseMinimum: 0 } })).toThrow(
      /autoPauseMinimum: must be a whole number/,
    );
    expect(() => read({ redelivery: { defaultRate: 0 } })).toThrow(
      /deadLetter\.redelivery\.defaultRate: must be a number of messages per second above 0/,
    );
    expect(() =>
      read({
        environments: [
          {
            name: 'dev',
            amqp: { url: 'amqp://x' },
            redelivery: { defaultRate: 200, maxRate: 100 },
          },
        ],
      }),
    ).toThrow(
      /deadLetter\.environments\[dev\]\.redelivery\.defaultRate: 200 is above maxRate 100/,
    );
  });
});
