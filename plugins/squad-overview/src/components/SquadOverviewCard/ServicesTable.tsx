import { Typography } from '@material-ui/core';
import { Link, Table, TableColumn } from '@backstage/core-components';
import { DriftBadge } from '@internal/plugin-release-status-react';
import { SquadOverviewData, SquadService } from '../../hooks/useSquadOverview';
import { useEntityLink } from '../links';

/** Each owned component with type, lifecycle, release state and dead letters. */
export function ServicesTable(props: { data: SquadOverviewData }) {
  const { data } = props;
  const link = useEntityLink();
  const columns: TableColumn<SquadService>[] = [
    {
      title: 'Service',
      field: 'entity.metadata.name',
      highlight: true,
      render: row => <Link to={link(row.ref)}>{row.entity.metadata.name}</Link>,
    },
    { title: 'Type', field: 'entity.spec.type' },
    { title: 'Lifecycle', field: 'entity.spec.lifecycle' },
    ...data.releaseEnvironments.map(
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
              to={link(row.ref, '/releases')}
              aria-label={`${row.entity.metadata.name} in ${env}`}
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
    ...data.deadLetterEnvironments.map(
      (env): TableColumn<SquadService> => ({
        title: `Dead letters ${env}`,
        type: 'numeric',
        customSort: (a, b) =>
          (a.deadLetters[env] ?? 0) - (b.deadLetters[env] ?? 0),
        render: row =>
          row.deadLetters[env] ? (
            <Link to={link(row.ref, '/dead-letter')}>
              {row.deadLetters[env].toLocaleString('en-US')}
            </Link>
          ) : (
            '0'
          ),
      }),
    ),
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
