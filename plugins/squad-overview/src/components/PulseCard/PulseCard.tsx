import { Typography } from '@material-ui/core';
import {
  EmptyState,
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
  WarningPanel,
} from '@backstage/core-components';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { PulseEntry } from '@internal/plugin-squad-overview-common';
import { useSquadOverview } from '../../hooks/useSquadOverview';
import { useEntityLink } from '../links';
import { cardTableOptions } from '../tableOptions';
import { PulseTimeline } from './PulseTimeline';

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
 * latest releases release-manager reports, and dead-letter bursts, merged
 * by the backend (`GET /overview`, the same answer as the other cards).
 * Above the list, its releases and bursts on a 7-day time axis per
 * environment (`PulseTimeline`).
 */
export function PulseCard() {
  const { entity } = useEntity();
  const squad = entity.metadata.name;
  const link = useEntityLink();
  const {
    value: overview,
    loading,
    error,
  } = useSquadOverview(stringifyEntityRef(entity));
  const value = overview?.pulse;

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
      {value?.error && (
        <WarningPanel
          severity="warning"
          title="Could not load the pulse"
          message={value.error.message}
        />
      )}
      {value && !value.error && (
        <>
          {value.missing.map(p => (
            <Typography
              key={p.message}
              color="error"
              variant="body2"
              role="alert"
            >
              Not shown, could not be loaded: {p.message}
            </Typography>
          ))}
          <PulseTimeline
            items={value.items}
            environments={[
              ...(overview?.releases.environments ?? []),
              ...(overview?.deadLetters.environments ?? []),
            ]}
            now={now}
          />
          {value.items.length ? (
            <Table<PulseEntry>
              columns={columns}
              data={value.items}
              options={cardTableOptions(value.items.length)}
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
