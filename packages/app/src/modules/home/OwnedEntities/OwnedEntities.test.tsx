import { identityApiRef } from '@backstage/core-plugin-api';
import {
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { screen } from '@testing-library/react';
import { OwnedEntities } from './OwnedEntities';

const identityFor = (ownershipEntityRefs: string[]) => ({
  getBackstageIdentity: async () => ({
    type: 'user' as const,
    userEntityRef: 'user:default/guest',
    ownershipEntityRefs,
  }),
  getProfileInfo: async () => ({}),
  getCredentials: async () => ({}),
  signOut: async () => {},
});

const entities = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'dead-letter', namespace: 'default' },
    spec: { type: 'service', owner: 'group:default/squad-nasa' },
    relations: [{ type: 'ownedBy', targetRef: 'group:default/squad-nasa' }],
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'card-clearing', namespace: 'default' },
    spec: { type: 'service', owner: 'group:default/squad-gemini' },
    relations: [{ type: 'ownedBy', targetRef: 'group:default/squad-gemini' }],
  },
];

describe('OwnedEntities', () => {
  it("lists only what the user's groups own", async () => {
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [catalogApiRef, catalogApiMock({ entities })],
          [identityApiRef, identityFor(['group:default/squad-nasa'])],
        ]}
      >
        <OwnedEntities />
      </TestApiProvider>,
      { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
    );
    expect(await screen.findByText('dead-letter')).toBeInTheDocument();
    expect(screen.getByText('Component · service')).toBeInTheDocument();
    expect(screen.queryByText('card-clearing')).not.toBeInTheDocument();
  });

  it('says so when nothing is owned', async () => {
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [catalogApiRef, catalogApiMock({ entities })],
          [identityApiRef, identityFor(['group:default/squad-aura'])],
        ]}
      >
        <OwnedEntities />
      </TestApiProvider>,
      { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
    );
    expect(await screen.findByText('You own nothing yet')).toBeInTheDocument();
  });
});
