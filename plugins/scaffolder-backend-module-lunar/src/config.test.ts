import { ConfigReader } from '@backstage/config';
import { readLunarScaffolderConfig } from './config';

describe('readLunarScaffolderConfig', () => {
  it('is unset by default (production publishes to GitHub)', () => {
    expect(readLunarScaffolderConfig(new ConfigReader({}))).toEqual({
      localGitDirectory: undefined,
    });
  });
  it("treats '' as unset (app-config.production.yaml)", () => {
    expect(
      readLunarScaffolderConfig(
        new ConfigReader({ lunarScaffolder: { localGitDirectory: '' } }),
      ),
    ).toEqual({ localGitDirectory: undefined });
  });
  it('resolves a relative folder against the working directory', () => {
    expect(
      readLunarScaffolderConfig(
        new ConfigReader({
          lunarScaffolder: { localGitDirectory: '../../.local/scaffolded' },
        }),
        '/repo/packages/backend',
      ),
    ).toEqual({ localGitDirectory: '/repo/.local/scaffolded' });
  });
});
