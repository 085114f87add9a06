import { Typography } from '@material-ui/core';
import {
  EmptyState,
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { deadLetterApiRef } from '@internal/plugin-dead-letter-react';
import { releaseStatusApiRef } from '@internal/plugin-release-status-react';
import useAsync from 'react-use/esm/useAsync';
import { squadOverviewApiRef } from '../../api';
import { shareInFlight } from '../../hooks/shareInFlight';
import { useEntityLink } from '../links';
import { cardTableOptions } from '../tableOptions';
import { PulseEntry, buildPulse } from './pulse';

/** Entries shown; the backend keeps more. */
const LIMIT = 50;

function ago(iso: string, now: number) {
  const minutes = Math.max(0, Math.round((now - Date.parse(iso)) / 60_000));
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}

/**
 * The squad's pulse: what happened to its services lately, newest first.
 * Stored events (catalog changes, release-manager's AMQP events), the
 * latest releases release-manager reports, and dead-letter bursts; one
 * request per source whatever the number of services.
 */
export function PulseCard() {
  const { entity } = useEntity();
  const squadRef = stringifyEntityRef(entity);
  const squad = entity.metadata.name;
  const squadApi = useApi(squadOverviewApiRef);
  const releaseApi = useApi(releaseStatusApiRef);
  const deadLetterApi = useApi(deadLetterApiRef);
  const link = useEntityLink();

  const { value, loading, error } = useAsync(async () => {
    const problems: string[] = [];
    const part =
      <T,>(name: string) =>
      (e: Error): T | undefined => {
        problems.push(`${name}: ${e.message}`);
        return undefined;
      };
    const [stored, releases, deadLetters] = await Promise.all([
      squadApi.pulse(squadRef, LIMIT),
      // The same requests as the squad overview card's: shared.
      shareInFlight(releaseApi, `overview:${squadRef}`, () =>
        releaseApi.overview({ owner: squadRef }),
      ).catch(part<never>('release status')),
      shareInFlight(deadLetterApi, 'environments', () =>
        deadLetterApi.environments(),
      )
        .then(envs =>
          Promise.all(
            envs.map(async e => ({
              environment: e.name,
              histogram: await deadLetterApi.histogram(e.name, {
                groupBy: 'service',
                squad,
              }),
            })),
          ),
        )
        .catch(part<never>('dead letters')),
    ]);
    const refs = new Map(releases?.items.map(i => [i.service, i.entityRef]));
    return {
      entries: buildPulse({
        events: stored.items,
        releases,
        deadLetters,
        // Dead letters name services as the catalog names components.
        refOfService: service =>
          refs.get(service) ?? `component:default/${service}`,
        limit: LIMIT,
      }),
      releaseEvents: stored.sources.releaseEvents,
      problems,
    };
  }, [squadApi, releaseApi, deadLetterApi, squadRef, squad]);

  const now = Date.now();
  const columns: TableColumn<PulseEntry>[] = [
    {
      title: 'Time',
      field: 'at',
      width: '140px',
      render: e => (
        <time dateTime={e.at} title={new Date(e.at).toLocaleString()}>
          {ago(e.at, now)}
        </time>
      ),
    },
    {
      title: 'Activity',
      field: 'summary',
      render: e =>
        e.entityRef ? (
          <Link to={link(e.entityRef, e.tab)}>{e.summary}</Link>
        ) : (
          e.summary
        ),
    },
  ];

  return (
    <InfoCard title="Pulse" subheader="What happened to the squad's services">
      {loading && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {value && (
        <>
          {value.problems.map(p => (
            <Typography key={p} color="error" variant="body2" role="alert">
              Not shown, could not be loaded: {p}
            </Typography>
          ))}
          {value.entries.length ? (
            <Table<PulseEntry>
              columns={columns}
              data={value.entries}
              options={cardTableOptions(value.entries.length)}
            />
          ) : (
            <EmptyState
              missing="data"
              title={`Nothing has happened to ${squad}'s services lately`}
              description={`Releases, dead-letter bursts and services added to or removed from the catalog show here.${
                value.releaseEvents
                  ? ''
                  : " release-manager's AMQP events are not consumed: set squadOverview.releaseEvents.amqp.url to add them."
              }`}
            />
          )}
        </>
      )}
    </InfoCard>
  );
}
