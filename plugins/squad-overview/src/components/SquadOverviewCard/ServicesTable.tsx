import { Typography } from '@material-ui/core';
import { Link, Table, TableColumn } from '@backstage/core-components';
import { DriftBadge } from '@internal/plugin-release-status-react';
import {
  SquadOverviewResponse,
  SquadService,
} from '@internal/plugin-squad-overview-common';
import { useEntityLink } from '../links';

/**
 * Each owned component with type, lifecycle, release state, dead letters
 * and open pull requests.
 */
export function ServicesTable(props: { data: SquadOverviewResponse }) {
  const { data } = props;
  const link = useEntityLink();
  const columns: TableColumn<SquadService>[] = [
    {
      title: 'Service',
      field: 'name',
      highlight: true,
      render: row => <Link to={link(row.entityRef)}>{row.name}</Link>,
    },
    { title: 'Type', field: 'type' },
    { title: 'Lifecycle', field: 'lifecycle' },
    ...data.releases.environments.map(
      (env): TableColumn<SquadService> => ({
        title: env,
        sorting: false,
        render: row => {
          const release = row.release?.environments.find(
            e => e.environment === env,
          );
          if (!release) {
            return (
              <Typography variant="body2" color="textSecondary">
                {row.release ? 'not released' : ''}
              </Typography>
            );
          }
          return (
            <Link
              to={link(row.entityRef, '/releases')}
              aria-label={`${row.name} in ${env}`}
            >
              <DriftBadge
                drift={release.drift}
                branch={row.release!.defaultBranch}
                missing={release.driftError}
              />
            </Link>
          );
        },
      }),
    ),
    ...data.deadLetters.environments.map(
      (env): TableColumn<SquadService> => ({
        title: `Dead letters ${env}`,
        type: 'numeric',
        customSort: (a, b) =>
          (a.deadLetters[env] ?? 0) - (b.deadLetters[env] ?? 0),
        render: row =>
          row.deadLetters[env] ? (
            <Link to={link(row.entityRef, '/dead-letter')}>
              {row.deadLetters[env].toLocaleString('en-US')}
            </Link>
          ) : (
            '0'
          ),
      }),
    ),
    {
      title: 'Open PRs',
      type: 'numeric',
      customSort: (a, b) =>
        (a.openPullRequests ?? -1) - (b.openPullRequests ?? -1),
      // Unknown (no repository, or GitHub not asked): left blank.
      render: row =>
        row.openPullRequests === null
          ? ''
          : row.openPullRequests.toLocaleString('en-US'),
    },
  ];
  return (
    <Table<SquadService>
      title="Services"
      options={{
        paging: data.services.length > 50,
        pageSize: 50,
        search: true,
        padding: 'dense',
      }}
      columns={columns}
      data={data.services}
    />
  );
}
