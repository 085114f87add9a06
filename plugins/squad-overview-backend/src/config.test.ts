import { ConfigReader } from '@backstage/config';
import { readSquadOverviewConfig } from './config';

describe('readSquadOverviewConfig', () => {
  it('has defaults for everything and no release events', () => {
    expect(readSquadOverviewConfig(new ConfigReader({}))).toEqual({
      catalogChanges: { frequencySeconds: 60, initialDelaySeconds: 60 },
      retentionDays: 90,
      releaseEvents: undefined,
      pullRequests: {
        githubHost: 'github.com',
        cacheSeconds: 300,
        perRepository: 20,
      },
    });
  });

  it('reads release events with their defaults', () => {
    const config = readSquadOverviewConfig(
      new ConfigReader({
        squadOverview: {
          releaseEvents: { amqp: { url: 'amqp://rabbit' } },
          pullRequests: { githubHost: 'ghe.example', perRepository: 5 },
        },
      }),
    );
    expect(config.releaseEvents).toEqual({
      url: 'amqp://rabbit',
      exchange: 'release-manager',
      exchangeType: 'topic',
      queue: 'backstage-squad-pulse',
      prefetch: 20,
    });
    expect(config.pullRequests.githubHost).toBe('ghe.example');
    expect(config.pullRequests.perRepository).toBe(5);
  });

  it('refuses values that cannot work', () => {
    const read = (squadOverview: object) => () =>
      readSquadOverviewConfig(new ConfigReader({ squadOverview }));
    expect(read({ retentionDays: 0 })).toThrow(
      /retentionDays must be a positive/,
    );
    expect(read({ pullRequests: { perRepository: 101 } })).toThrow(
      /at most 100/,
    );
    expect(read({ releaseEvents: { amqp: {} } })).toThrow(/url/);
  });
});
