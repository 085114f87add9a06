import {
  SignInPage as CoreSignInPage,
  SignInProviderConfig,
} from '@backstage/core-components';
import {
  configApiRef,
  githubAuthApiRef,
  useApi,
} from '@backstage/core-plugin-api';
import { SignInPageProps } from '@backstage/plugin-app-react';

const github: SignInProviderConfig = {
  id: 'github-auth-provider',
  title: 'GitHub',
  message: 'Sign in with your Lunar GitHub account',
  apiRef: githubAuthApiRef,
};

/**
 * Maps `lunar.signIn.providers` to the sign-in page's providers. Unknown
 * names are ignored; an empty or missing list falls back to guest.
 */
export function signInProvidersFromConfig(
  names: string[] | undefined,
): Array<'guest' | SignInProviderConfig> {
  const providers = (names ?? []).flatMap(
    (name): Array<'guest' | SignInProviderConfig> => {
      if (name === 'guest') return ['guest'];
      if (name === 'github') return [github];
      return [];
    },
  );
  return providers.length > 0 ? providers : ['guest'];
}

/** Sign-in page: guest locally, GitHub in production (see app-config). */
export const LunarSignInPage = (props: SignInPageProps) => {
  const configApi = useApi(configApiRef);
  const providers = signInProvidersFromConfig(
    configApi.getOptionalStringArray('lunar.signIn.providers'),
  );
  return (
    <CoreSignInPage
      {...props}
      title="Lunar developer portal"
      align="center"
      providers={providers}
    />
  );
};
