import { ConfigReader } from '@backstage/config';
import { readReleaseStatusConfig } from './config';

const read = (releaseStatus: object) =>
  readReleaseStatusConfig(new ConfigReader({ releaseStatus }));

describe('readReleaseStatusConfig', () => {
  it('has defaults for everything', () => {
    expect(readReleaseStatusConfig(new ConfigReader({}))).toEqual({
      environments: ['dev', 'staging', 'prod'],
      releaseManager: undefined,
      git: {
        localDirectory: undefined,
        githubHost: 'github.com',
        defaultBranch: undefined,
      },
      refresh: {
        frequencySeconds: 300,
        concurrency: 4,
        maxAgeSeconds: 3600,
        releaseEventDelaySeconds: 5,
      },
    });
  });

  it('reads release-manager and drops a trailing slash', () => {
    expect(
      read({ releaseManager: { baseUrl: 'https://rm.example/', token: 't' } })
        .releaseManager,
    ).toEqual({ baseUrl: 'https://rm.example', token: 't', timeoutMs: 10_000 });
  });

  it('lets production switch local repositories off with an empty string', () => {
    expect(
      read({ git: { localDirectory: '' } }).git.localDirectory,
    ).toBeUndefined();
    expect(
      read({ git: { localDirectory: '../repos' } }).git.localDirectory,
    ).toBe('../repos');
  });

  it('reads the refresh schedule', () => {
    expect(
      read({
        refresh: {
          frequencySeconds: 60,
          concurrency: 2,
          maxAgeSeconds: 600,
          releaseEventDelaySeconds: 0,
        },
      }).refresh,
    ).toEqual({
      frequencySeconds: 60,
      concurrency: 2,
      maxAgeSeconds: 600,
      releaseEventDelaySeconds: 0,
    });
  });

  it('refuses bad values at start-up', () => {
    expect(() => read({ environments: [] })).toThrow(/at least one/);
    expect(() => read({ environments: ['dev', '../prod'] })).toThrow(
      /not a valid environment/,
    );
    expect(() => read({ refresh: { frequencySeconds: 0 } })).toThrow(
      /refresh.frequencySeconds must be a positive number/,
    );
    expect(() => read({ refresh: { concurrency: -1 } })).toThrow(/positive/);
    expect(() => read({ refresh: { releaseEventDelaySeconds: -1 } })).toThrow(
      /releaseEventDelaySeconds must be zero or more/,
    );
    expect(() => read({ git: { localDirectory: 3 } })).toThrow(
      /must be a string/,
    );
    expect(() =>
      read({ releaseManager: { baseUrl: 'https://rm.example' } }),
    ).toThrow(/token/);
  });
});
