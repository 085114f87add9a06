import { useState } from 'react';
import {
  FormControl,
  InputLabel,
  MenuItem,
  Select,
  Typography,
} from '@material-ui/core';
import {
  Content,
  ContentHeader,
  EmptyState,
  Header,
  Link,
  Page,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
  WarningPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import useAsync from 'react-use/esm/useAsync';
import { deadLetterApiRef } from '@internal/plugin-dead-letter-react';
import { releaseStatusApiRef } from '@internal/plugin-release-status-react';
import { useEntityLink } from '../links';

/** One row of the Squads page. */
export interface SquadRow {
  ref: string;
  name: string;
  title: string;
  members: number;
  servicesByType: Record<string, number>;
  services: number;
  /** Per dead-letter environment. */
  deadLetters: Record<string, number>;
  /** Services behind the default branch in production; null: unknown. */
  behindInProduction: number | null;
}

const refsOf = (
  e: { relations?: Array<{ type: string; targetRef: string }> },
  type: string,
) => (e.relations ?? []).filter(r => r.type === type).map(r => r.targetRef);

/** An owner group that is not in the catalog, and what it is said to own. */
export interface UnknownOwner {
  ref: string;
  name: string;
  components: string[];
}

/**
 * Owners of components that are neither a squad on this page nor any other
 * group in the catalog (e.g. shuttle.yaml `squad: juno` without a
 * squad-juno group). One extra request, and only when some component is
 * owned by something other than a listed squad.
 */
async function unknownOwners(
  catalogApi: typeof catalogApiRef.T,
  squadRefs: Set<string>,
  components: Entity[],
): Promise<UnknownOwner[]> {
  const candidates = new Map<string, string[]>();
  for (const c of components) {
    for (const owner of refsOf(c, 'ownedBy')) {
      if (squadRefs.has(owner)) continue;
      candidates.set(owner, [
        ...(candidates.get(owner) ?? []),
        stringifyEntityRef(c),
      ]);
    }
  }
  if (!candidates.size) return [];
  const refs = [...candidates.keys()].sort();
  const { items } = await catalogApi.getEntitiesByRefs({
    entityRefs: refs,
    fields: ['kind', 'metadata.name', 'metadata.namespace'],
  });
  return refs
    .filter((_, i) => !items[i])
    .map(ref => ({
      ref,
      name: parseEntityRef(ref).name,
      components: candidates.get(ref)!.sort(),
    }));
}

/** All squads with their numbers, from a fixed handful of requests. */
function useSquads() {
  const catalogApi = useApi(catalogApiRef);
  const deadLetterApi = useApi(deadLetterApiRef);
  const releaseApi = useApi(releaseStatusApiRef);
  return useAsync(async () => {
    const problems: string[] = [];
    const [groups, components, deadLetters, releases] = await Promise.all([
      catalogApi.getEntities({
        filter: { kind: 'group', 'spec.type': 'squad' },
        fields: [
          'kind',
          'metadata.name',
          'metadata.namespace',
          'metadata.title',
          'spec.profile',
          'relations',
        ],
      }),
      catalogApi.getEntities({
        filter: { kind: 'component' },
        fields: [
          'kind',
          'metadata.name',
          'metadata.namespace',
          'spec.type',
          'relations',
        ],
      }),
      deadLetterApi
        .environments()
        .then(async envs => ({
          names: envs.map(e => e.name),
          perEnv: await Promise.all(
            envs.map(e => deadLetterApi.squadOverview(e.name)),
          ),
        }))
        .catch((e: Error) => {
          problems.push(`Dead letters: ${e.message}`);
          return { names: [] as string[], perEnv: [] };
        }),
      releaseApi.overview().catch((e: Error) => {
        problems.push(`Release status: ${e.message}`);
        return undefined;
      }),
    ]);
    const production = releases?.environments[releases.environments.length - 1];
    const rows: SquadRow[] = groups.items.map(group => {
      const ref = stringifyEntityRef(group);
      const owned = components.items.filter(c =>
        refsOf(c, 'ownedBy').includes(ref),
      );
      const servicesByType: Record<string, number> = {};
      for (const c of owned) {
        const type = String(c.spec?.type ?? 'other');
        servicesByType[type] = (servicesByType[type] ?? 0) + 1;
      }
      const deadLettersByEnv: Record<string, number> = {};
      deadLetters.names.forEach((env, i) => {
        deadLettersByEnv[env] =
          deadLetters.perEnv[i].find(s => s.squad === group.metadata.name)
            ?.count ?? 0;
      });
      return {
        ref,
        name: group.metadata.name,
        title:
          (group.spec?.profile as { displayName?: string } | undefined)
            ?.displayName ??
          group.metadata.title ??
          group.metadata.name,
        members: refsOf(group, 'hasMember').length,
        servicesByType,
        services: owned.length,
        deadLetters: deadLettersByEnv,
        behindInProduction: releases
          ? releases.items.filter(
              i =>
                i.owner === ref &&
                (i.environments.find(e => e.environment === production)?.drift
                  ?.commitsBehind ?? 0) > 0,
            ).length
          : null,
      };
    });
    rows.sort(
      (a, b) => b.services - a.services || a.name.localeCompare(b.name),
    );
    const unknown = await unknownOwners(
      catalogApi,
      new Set(rows.map(r => r.ref)),
      components.items,
    ).catch((e: Error) => {
      problems.push(`Owners: ${e.message}`);
      return [];
    });
    return {
      rows,
      environments: deadLetters.names,
      production,
      problems,
      unknown,
    };
  }, [catalogApi, deadLetterApi, releaseApi]);
}

/** The Squads page (sidebar): every squad and how it is doing. */
export function SquadsPage() {
  const { value, loading, error } = useSquads();
  const link = useEntityLink();
  const [picked, setPicked] = useState<string>();
  const environment = picked ?? value?.environments[0];

  const columns: TableColumn<SquadRow>[] = [
    {
      title: 'Squad',
      field: 'name',
      highlight: true,
      render: row => (
        <>
          <Link to={link(row.ref)}>{row.name}</Link>
          {row.title !== row.name && (
            <Typography variant="body2" color="textSecondary">
              {row.title}
            </Typography>
          )}
        </>
      ),
    },
    { title: 'Members', field: 'members', type: 'numeric' },
    {
      title: 'Services',
      field: 'services',
      type: 'numeric',
      render: row => (
        <>
          {row.services}
          <Typography variant="body2" color="textSecondary">
            {Object.entries(row.servicesByType)
              .sort((a, b) => b[1] - a[1])
              .map(([t, n]) => `${t}: ${n}`)
              .join(', ')}
          </Typography>
        </>
      ),
    },
    ...(environment
      ? [
          {
            title: `Dead letters (${environment})`,
            type: 'numeric' as const,
            customSort: (a: SquadRow, b: SquadRow) =>
              (a.deadLetters[environment] ?? 0) -
              (b.deadLetters[environment] ?? 0),
            render: (row: SquadRow) => (
              <Link to={link(row.ref, '/dead-letter')}>
                {(row.deadLetters[environment] ?? 0).toLocaleString('en-US')}
              </Link>
            ),
          },
        ]
      : []),
    ...(value?.production
      ? [
          {
            title: `Behind in ${value.production}`,
            field: 'behindInProduction',
            type: 'numeric' as const,
            render: (row: SquadRow) => row.behindInProduction ?? '',
          },
        ]
      : []),
  ];

  return (
    <Page themeId="tool">
      <Header
        title="Squads"
        subtitle="Every squad: its people, services, dead letters and release drift"
      />
      <Content>
        <ContentHeader title="Squads">
          {value && value.environments.length > 1 && (
            <FormControl
              variant="outlined"
              size="small"
              style={{ minWidth: 200 }}
            >
              <InputLabel id="squads-env-label">
                Dead-letter environment
              </InputLabel>
              <Select
                labelId="squads-env-label"
                label="Dead-letter environment"
                value={environment}
                onChange={e => setPicked(String(e.target.value))}
              >
                {value.environments.map(env => (
                  <MenuItem key={env} value={env}>
                    {env}
                  </MenuItem>
                ))}
              </Select>
            </FormControl>
          )}
        </ContentHeader>
        {loading && <Progress />}
        {error && <ResponseErrorPanel error={error} />}
        {value?.problems.map(p => (
          <WarningPanel
            key={p}
            severity="warning"
            title="Some numbers are missing"
            message={p}
          />
        ))}
        {value && value.unknown.length > 0 && (
          <WarningPanel
            severity="warning"
            defaultExpanded
            title={`${value.unknown.length} owner${
              value.unknown.length === 1 ? ' is' : 's are'
            } not in the catalog`}
            message={
              <>
                <ul>
                  {value.unknown.map(owner => (
                    <li key={owner.ref}>
                      owner {owner.name} is not a known squad:{' '}
                      {owner.components.map((ref, i) => (
                        <span key={ref}>
                          {i > 0 && ', '}
                          <Link to={link(ref)}>{parseEntityRef(ref).name}</Link>
                        </span>
                      ))}
                    </li>
                  ))}
                </ul>
                Add the squad to the organisation, or fix vars.squad in the
                repository's shuttle.yaml.
              </>
            }
          />
        )}
        {value &&
          (value.rows.length ? (
            <Table<SquadRow>
              title={`${value.rows.length} squads`}
              options={{ paging: false, search: true, padding: 'dense' }}
              columns={columns}
              data={value.rows}
            />
          ) : (
            <EmptyState
              missing="data"
              title="No squads in the catalog"
              description="Squads are Group entities with spec.type: squad."
            />
          ))}
      </Content>
    </Page>
  );
}
