import { signInProvidersFromConfig } from './SignInPage';

describe('signInProvidersFromConfig', () => {
  it('offers GitHub when configured', () => {
    const providers = signInProvidersFromConfig(['github']);
    expect(providers).toHaveLength(1);
    expect(providers[0]).toMatchObject({ id: 'github-auth-provider' });
  });

  it('keeps the configured order and drops unknown names', () => {
    const providers = signInProvidersFromConfig(['guest', 'okta', 'github']);
    expect(providers.map(p => (typeof p === 'string' ? p : p.id))).toEqual([
      'guest',
      'github-auth-provider',
    ]);
  });

  it('falls back to guest when nothing usable is configured', () => {
    expect(signInProvidersFromConfig(undefined)).toEqual(['guest']);
    expect(signInProvidersFromConfig(['okta'])).toEqual(['guest']);
  });
});
