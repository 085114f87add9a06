import { readReleaseManagerEventPayload } from './releaseEvents';

describe('readReleaseManagerEventPayload', () => {
  it('reads a published payload', () => {
    expect(
      readReleaseManagerEventPayload({
        type: 'released',
        service: 'authentication',
        environment: 'prod',
        artifactId: 'master-1c1508405e-67e9d69164',
      }),
    ).toEqual({
      type: 'released',
      service: 'authentication',
      environment: 'prod',
      artifactId: 'master-1c1508405e-67e9d69164',
    });
    expect(
      readReleaseManagerEventPayload({ type: 'newArtifact', service: 'x' }),
    ).toEqual({
      type: 'newArtifact',
      service: 'x',
      environment: null,
      artifactId: null,
    });
  });

  it('refuses anything else', () => {
    for (const payload of [
      undefined,
      null,
      'released',
      { type: 'released' },
      { type: 'released', service: '' },
      { type: 'unknown', service: 'x' },
      { type: 'released', service: 42 },
    ]) {
      expect(readReleaseManagerEventPayload(payload)).toBeUndefined();
    }
  });
});
