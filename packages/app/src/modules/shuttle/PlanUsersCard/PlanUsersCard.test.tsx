import { Entity } from '@backstage/catalog-model';
import {
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import {
  EntityProvider,
  catalogApiRef,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { screen, within } from '@testing-library/react';
import { isShuttlePlan } from '../shuttleModule';
import { PlanUsersCard } from './PlanUsersCard';

const component = (name: string, plan: string, ref: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: {
      'lunar.app/shuttle-plan': plan,
      'lunar.app/shuttle-plan-ref': ref,
    },
  },
  spec: { type: 'service', owner: 'group:default/squad-mercury' },
});

const goPlan = 'git://git@github.com:lunarway/lw-shuttle-go-plan.git';
const users = [
  component('bankaccount', goPlan, 'master'),
  component('term-deposit', `${goPlan}#v1`, 'v1'),
  component('card-clearing', goPlan, 'master'),
];

const plan = (dependencyOf: string[]): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'lw-shuttle-go-plan', namespace: 'default' },
  spec: { type: 'shuttle-plan', owner: 'group:default/squad-nasa' },
  relations: dependencyOf.map(targetRef => ({
    type: 'dependencyOf',
    targetRef,
  })),
});

const render = (entity: Entity) =>
  renderInTestApp(
    <TestApiProvider
      apis={[[catalogApiRef, catalogApiMock({ entities: [...users, entity] })]]}
    >
      <EntityProvider entity={entity}>
        <PlanUsersCard />
      </EntityProvider>
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );

describe('PlanUsersCard', () => {
  it('lists every user of the plan with the ref it pins, grouped by ref', async () => {
    await render(plan(users.map(u => `component:default/${u.metadata.name}`)));
    expect(
      await screen.findByText('3 components: 2 at master, 1 at v1'),
    ).toBeInTheDocument();
    const rows = screen.getAllByRole('row').slice(1);
    expect(
      rows.map(r => within(r).getAllByRole('cell')[0].textContent),
    ).toEqual(['bankaccount', 'card-clearing', 'term-deposit']);
    expect(within(rows[2]).getByText('v1')).toBeInTheDocument();
    expect(within(rows[2]).getByText(`${goPlan}#v1`)).toBeInTheDocument();
  });

  it('says so when no component uses the plan', async () => {
    await render(plan([]));
    expect(
      await screen.findByText('No component uses this plan'),
    ).toBeInTheDocument();
  });

  it('is shown on shuttle plans only', () => {
    expect(isShuttlePlan(plan([]))).toBe(true);
    expect(isShuttlePlan(users[0])).toBe(false);
  });
});
