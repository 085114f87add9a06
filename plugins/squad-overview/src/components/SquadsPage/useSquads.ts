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

/**
 * Loads every squad with its numbers, from a fixed handful of requests: two
 * catalog queries (a third only for unknown owners), one dead-letter request
 * per environment and one release-status request. A failing source is a
 * problem to report, not an error: the rest still loads.
 */
export function useSquads() {
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
