import useAsync from 'react-use/esm/useAsync';
import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { LUNAR_ANNOTATIONS } from '@internal/plugin-lunar-common';
import {
  Entity,
  RELATION_DEPENDENCY_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  EntityRefLink,
  catalogApiRef,
  useEntity,
} from '@backstage/plugin-catalog-react';

/** One component that uses the plan, at the ref it pins. */
export interface PlanUser {
  entity: Entity;
  ref: string;
  plan: string;
}

/** Users sorted by ref, then name, so each ref's users sit together. */
export function planUsers(entities: (Entity | undefined)[]): PlanUser[] {
  return entities
    .filter((e): e is Entity => !!e)
    .map(entity => ({
      entity,
      ref:
        entity.metadata.annotations?.[LUNAR_ANNOTATIONS.shuttlePlanRef] ?? '',
      plan: entity.metadata.annotations?.[LUNAR_ANNOTATIONS.shuttlePlan] ?? '',
    }))
    .sort(
      (a, b) =>
        a.ref.localeCompare(b.ref) ||
        a.entity.metadata.name.localeCompare(b.entity.metadata.name),
    );
}

/** "3 components: 2 at master, 1 at v2". */
export function refSummary(users: PlanUser[]): string {
  const counts = new Map<string, number>();
  for (const u of users) {
    const ref = u.ref || 'no ref';
    counts.set(ref, (counts.get(ref) ?? 0) + 1);
  }
  const parts = [...counts].map(([ref, n]) => `${n} at ${ref}`);
  return `${users.length} component${
    users.length === 1 ? '' : 's'
  }: ${parts.join(', ')}`;
}

const columns: TableColumn<PlanUser>[] = [
  {
    title: 'Component',
    field: 'entity.metadata.name',
    render: u => <EntityRefLink entityRef={u.entity} />,
  },
  {
    title: 'Owner',
    field: 'entity.spec.owner',
    render: u =>
      u.entity.spec?.owner ? (
        <EntityRefLink
          entityRef={String(u.entity.spec.owner)}
          defaultKind="group"
        />
      ) : null,
  },
  { title: 'Plan ref', field: 'ref' },
  { title: 'Plan reference', field: 'plan' },
];

/**
 * On a shuttle plan's page: every component that uses the plan (its
 * dependencyOf relations) and the branch, tag or commit each pins, so the
 * platform team sees who is on which ref and who still uses an old one.
 */
export function PlanUsersCard() {
  const { entity } = useEntity();
  const catalogApi = useApi(catalogApiRef);
  const refs = (entity.relations ?? [])
    .filter(r => r.type === RELATION_DEPENDENCY_OF)
    .map(r => r.targetRef)
    .sort();
  const { value, loading, error } = useAsync(async () => {
    if (!refs.length) return [];
    const { items } = await catalogApi.getEntitiesByRefs({
      entityRefs: refs,
      fields: ['kind', 'metadata', 'spec.owner', 'spec.type'],
    });
    return planUsers(items);
  }, [catalogApi, refs.join(',')]);

  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  if (!value?.length) {
    return (
      <InfoCard title="Users of this plan">
        <EmptyState
          missing="data"
          title="No component uses this plan"
          description={`Components use it with plan: <git reference to ${entity.metadata.name}> in their shuttle.yaml.`}
        />
      </InfoCard>
    );
  }
  return (
    <Table<PlanUser>
      title="Users of this plan"
      subtitle={refSummary(value)}
      options={{ paging: value.length > 20, pageSize: 20, search: true }}
      columns={columns}
      data={value}
      key={stringifyEntityRef(entity)}
    />
  );
}
