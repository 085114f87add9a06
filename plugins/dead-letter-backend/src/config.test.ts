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
        masking: {
          jsonPaths: [],
          headers: ['authorization'],
          replacement: '***',
        },
        retention: { days: 30 },
        archive: { retentionDays: 14 },
        redelivery: {
          defaultRate: 100,
          maxRate: 1000,
          autoPauseRatio: 0.1,
          autoPauseMinimum: 20,
        },
      },
    ]);
    expect(config.errorHeader).toBe('x-error');
    expect(config.squadCacheSeconds).toBe(300);
    expect(config.readDecisionCacheSeconds).toBe(10);
    expect(config.readers).toEqual({ groups: [], unmaskedGroups: [] });
  });

  it('joins plugin-wide and per-environment masking, and reads retention', () => {
    const config = readDeadLetterConfig(
      new ConfigReader({
        deadLetter: {
          masking: { jsonPaths: ['$.cpr'], headers: ['Authorization'] },
          retention: { days: 14 },
          environments: [
            { name: 'dev', amqp: { url: 'amqp://x' } },
            {
              name: 'prod',
              amqp: { url: 'amqp://x' },
              masking: {
                jsonPaths: ['$..iban', '$.cpr'],
                headers: ['x-token'],
              },
              retention: { days: 90 },
            },
          ],
        },
      }),
    );
    const [dev, prod] = config.environments;
    expect(dev.masking.jsonPaths.map(p => p.source)).toEqual(['$.cpr']);
    expect(dev.retention).toEqual({ days: 14 });
    expect(prod.masking.jsonPaths.map(p => p.source)).toEqual([
      '$.cpr',
      '$..iban',
    ]);
    expect(prod.masking.headers).toEqual(['authorization', 'x-token']);
    expect(prod.retention).toEqual({ days: 90 });
  });

  it('rejects invalid masking paths and retention when the config is read', () => {
    const read = (deadLetter: object) => () =>
      readDeadLetterConfig(new ConfigReader({ deadLetter }));
    expect(read({ masking: { jsonPaths: ['cpr'] } })).toThrow(
      "deadLetter.masking.jsonPaths[0]: invalid JSON path 'cpr': it must start with '$'",
    );
    expect(
      read({
        environments: [
          {
            name: 'prod',
            amqp: { url: 'amqp://x' },
            masking: { jsonPaths: ['$.items[?(@.pan)]'] },
          },
        ],
      }),
    ).toThrow(/deadLetter\.environments\[prod\]\.masking\.jsonPaths\[0\]/);
    expect(read({ retention: { days: 0 } })).toThrow(
      'deadLetter.retention.days: must be a whole number of days, at least 1',
    );
    expect(read({ retention: { days: 1.5 } })).toThrow(/whole number/);
    expect(read({ readDecisionCacheSeconds: 0 })).toThrow(
      'deadLetter.readDecisionCacheSeconds: must be from 1 to 300 seconds',
    );
    expect(
      read({ readDecisionCacheSeconds: 2.5 })().readDecisionCacheSeconds,
    ).toBe(2.5);
  });

  it('reads the archive retention plugin-wide and per environment', () => {
    const config = readDeadLetterConfig(
      new ConfigReader({
        deadLetter: {
          archive: { retentionDays: 7 },
          environments: [
            { name: 'dev', amqp: { url: 'amqp://x' } },
            {
              name: 'prod',
              amqp: { url: 'amqp://x' },
              archive: { retentionDays: 3 },
            },
          ],
        },
      }),
    );
    expect(config.environments.map(e => e.archive)).toEqual([
      { retentionDays: 7 },
      { retentionDays: 3 },
    ]);
    expect(() =>
      readDeadLetterConfig(
        new ConfigReader({
          deadLetter: {
            environments: [
              {
                name: 'prod',
                amqp: { url: 'amqp://x' },
                archive: { retentionDays: 0 },
              },
            ],
          },
        }),
      ),
    ).toThrow(
      'deadLetter.environments[prod].archive.retentionDays: must be a whole number of days, at least 1',
    );
  });

  it('reads reader groups as group refs', () => {
    const config = readDeadLetterConfig(
      new ConfigReader({
        deadLetter: {
          readers: {
            groups: ['platform', 'group:default/Incident-Commanders'],
            unmaskedGroups: ['group:security/fraud'],
          },
        },
      }),
    );
    expect(config.readers).toEqual({
      groups: ['group:default/platform', 'group:default/incident-commanders'],
      unmaskedGroups: ['group:security/fraud'],
    });
    expect(() =>
      readDeadLetterConfig(
        new ConfigReader({
          deadLetter: { readers: { groups: ['user:default/mette'] } },
        }),
      ),
    ).toThrow(
      "deadLetter.readers.groups[0]: 'user:default/mette' is not a group",
    );
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

  it('refuses a prefetch window the consumer cannot pause with', () => {
    const read = (prefetch: number) =>
      readDeadLetterConfig(
        new ConfigReader({
          deadLetter: {
            environments: [
              { name: 'dev', amqp: { url: 'amqp://x', prefetch } },
            ],
          },
        }),
      ).environments[0].amqp?.prefetch;
    expect(read(50)).toBe(50);
    for (const bad of [0, -1, 2.5, 70000])
      expect(() => read(bad)).toThrow(
        /deadLetter\.environments\[dev\]\.amqp\.prefetch: must be a whole number from 1 to 65535/,
      );
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
