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
import { ReleaseStatus } from '@internal/plugin-release-status-common';
import { shareInFlight } from './shareInFlight';

/** What the overview knows of one of the squad's components. */
export interface SquadService {
  entity: Entity;
  ref: string;
  /** Dead letters per environment (absent: none). */
  deadLetters: Record<string, number>;
  release?: ReleaseStatus;
}

/** A part that could not be loaded, said instead of hidden. */
export interface PartError {
  part: 'dead letters' | 'release status';
  message: string;
}

export interface SquadOverviewData {
  services: SquadService[];
  /** Dead-letter environments, in the backend's order. */
  deadLetterEnvironments: string[];
  /** Release environments in promotion order (the last is production). */
  releaseEnvironments: string[];
  errors: PartError[];
}

const FIELDS = [
  'kind',
  'metadata.name',
  'metadata.namespace',
  'metadata.title',
  'metadata.annotations',
  'spec.type',
  'spec.lifecycle',
  'relations',
];

/**
 * Everything a squad's overview shows, in a fixed number of requests
 * whatever the number of services: the squad's components (one catalog
 * query), dead letters per environment (one per environment) and release
 * status (one, cached by the backend). A part that fails is reported, the
 * rest still shows.
 */
export function useSquadOverview(squadRef: string) {
  const catalogApi = useApi(catalogApiRef);
  const deadLetterApi = useApi(deadLetterApiRef);
  const releaseApi = useApi(releaseStatusApiRef);
  const squad = parseEntityRef(squadRef).name;

  return useAsync(async (): Promise<SquadOverviewData> => {
    const errors: PartError[] = [];
    const fail = (part: PartError['part']) => (e: Error) => {
      errors.push({ part, message: e.message });
      return undefined;
    };
    const [components, deadLetters, releases] = await Promise.all([
      catalogApi.getEntities({
        filter: { kind: 'component', 'relations.ownedBy': squadRef },
        fields: FIELDS,
      }),
      shareInFlight(deadLetterApi, 'environments', () =>
        deadLetterApi.environments(),
      )
        .then(async environments => {
          const names = environments.map(e => e.name);
          const perEnv = await Promise.all(
            names.map(env => deadLetterApi.serviceOverview(env, squad)),
          );
          return { names, perEnv };
        })
        .catch(fail('dead letters')),
      shareInFlight(releaseApi, `overview:${squadRef}`, () =>
        releaseApi.overview({ owner: squadRef }),
      ).catch(fail('release status')),
    ]);

    const byRef = new Map(releases?.items.map(i => [i.entityRef, i]));
    const services = components.items
      .map(entity => {
        const ref = stringifyEntityRef(entity);
        const counts: Record<string, number> = {};
        deadLetters?.names.forEach((env, i) => {
          const row = deadLetters.perEnv[i].find(
            s => s.service === entity.metadata.name,
          );
          if (row) counts[env] = row.count;
        });
        return { entity, ref, deadLetters: counts, release: byRef.get(ref) };
      })
      .sort((a, b) =>
        a.entity.metadata.name.localeCompare(b.entity.metadata.name),
      );
    return {
      services,
      deadLetterEnvironments: deadLetters?.names ?? [],
      releaseEnvironments: releases?.environments ?? [],
      errors,
    };
  }, [catalogApi, deadLetterApi, releaseApi, squadRef]);
}
