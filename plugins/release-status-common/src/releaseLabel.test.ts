import { releaseLabel } from './releaseLabel';

describe('releaseLabel', () => {
  it('names a release by its short commit, else its artifact', () => {
    expect(
      releaseLabel({
        sha: '9f3c2a1b8e7d6c5b4a39281706f5e4d3c2b1a098',
        artifactId: 'master-9f3c2a1b8e-67e9d69164',
      }),
    ).toBe('9f3c2a1');
    expect(
      releaseLabel({ sha: null, artifactId: 'master-9f3c2a1b8e-67e9d69164' }),
    ).toBe('master-9f3c2a1b8e-67e9d69164');
    expect(releaseLabel({ sha: null, artifactId: null })).toBeNull();
  });
});
