import { ConfigReader } from '@backstage/config';
import { readDeadLetterConfig } from './config';

describe('readDeadLetterConfig', () => {
  it('applies the documented defaults', () => {
    const config = readDeadLetterConfig(
      new ConfigReader({
        deadLetter: {
          environments: [{ name: 'dev', amqp: { url: 'amqp://localhost' } }],
        },
      }),
    );
    expect(config.environments).toEqual([
      {
        name: 'dev',
        amqp: {
          url: 'amqp://localhost',
          queue: 'dead-letters',
          declareQueue: true,
          prefetch: 1000,
        },
        sample: null,
        batchSize: 500,
        batchWaitMs: 50,
        maxBodyBytes: 16 * 1024 * 1024,
        logsUrlTemplate: null,
      },
    ]);
    expect(config.errorHeader).toBe('x-error');
    expect(config.squadCacheSeconds).toBe(300);
  });

  it('has no environments when not configured', () => {
    expect(readDeadLetterConfig(new ConfigReader({})).environments).toEqual([]);
  });

  it('rejects bad and duplicate environment names', () => {
    const env = (name: string) => ({ name, amqp: { url: 'amqp://x' } });
    expect(() =>
      readDeadLetterConfig(
        new ConfigReader({ deadLetter: { environments: [env('Prod!')] } }),
      ),
    ).toThrow(/not a valid environment name/);
    expect(() =>
      readDeadLetterConfig(
        new ConfigReader({
          deadLetter: { environments: [env('dev'), env('dev')] },
        }),
      ),
    ).toThrow(/configured twice/);
  });

  it('takes a broker or a sample file per environment, not both or neither', () => {
    const read = (env: object) =>
      readDeadLetterConfig(
        new ConfigReader({ deadLetter: { environments: [env] } }),
      ).environments[0];
    expect(
      read({ name: 'sample', sample: { fixture: 'x.json' } }),
    ).toMatchObject({ amqp: null, sample: { fixture: 'x.json' } });
    expect(() =>
      read({
        name: 'dev',
        amqp: { url: 'amqp://x' },
        sample: { fixture: 'x.json' },
      }),
    ).toThrow(/'dev' needs exactly one of 'amqp' \(a broker\) or 'sample'/);
    expect(() => read({ name: 'dev' })).toThrow(/needs exactly one of/);
  });
});
