import { Entity } from '@backstage/catalog-model';
import {
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { EntityProvider, catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { screen } from '@testing-library/react';
import { hasUnknownOwnerMark } from '../shuttleModule';
import { UnknownOwnerCard } from './UnknownOwnerCard';

const component = (owner: string, marked: boolean): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api-sdk',
    namespace: 'default',
    annotations: marked ? { 'lunar.app/unknown-owner': owner } : {},
  },
  spec: { type: 'other', owner },
});

const squadJuno: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'squad-juno', namespace: 'default' },
  spec: { type: 'squad', children: [] },
};

const render = (entity: Entity, entities: Entity[]) =>
  renderInTestApp(
    <TestApiProvider apis={[[catalogApiRef, catalogApiMock({ entities })]]}>
      <EntityProvider entity={entity}>
        <div>page</div>
        <UnknownOwnerCard />
      </EntityProvider>
    </TestApiProvider>,
  );

describe('UnknownOwnerCard', () => {
  it('says the owner is not a known squad', async () => {
    await render(component('group:default/squad-juno', true), []);
    expect(
      await screen.findByText(/owner squad-juno is not a known squad/),
    ).toBeInTheDocument();
  });

  it('shows nothing once the squad exists', async () => {
    await render(component('group:default/squad-juno', true), [squadJuno]);
    expect(await screen.findByText('page')).toBeInTheDocument();
    // Give the lookup time to settle, then make sure nothing was shown.
    await new Promise(r => setTimeout(r, 100));
    expect(screen.queryByText(/not a known squad/)).toBeNull();
  });

  it('is shown on marked entities only', () => {
    expect(hasUnknownOwnerMark(component('group:default/x', true))).toBe(true);
    expect(hasUnknownOwnerMark(component('group:default/x', false))).toBe(
      false,
    );
  });
});
