import { Typography } from '@material-ui/core';
import { Link, Table, TableColumn } from '@backstage/core-components';
import {
  EnvironmentRelease,
  ReleaseIntent,
  ReleaseStatus,
} from '@internal/plugin-release-status-common';
import { DriftBadge } from '@internal/plugin-release-status-react';

const when = (iso: string | null) =>
  iso ? new Date(iso).toLocaleString() : '';

/** "Promote from dev", "Release branch feature-x", "Rollback" ... */
export function describeIntent(intent: ReleaseIntent | null): string {
  if (!intent) return '';
  switch (intent.type) {
    case 'Promote':
      return `Promote from ${intent.fromEnvironment ?? '?'}`;
    case 'ReleaseBranch':
      return `Release branch ${intent.branch ?? '?'}`;
    case 'AutoRelease':
      return `Auto-release${intent.branch ? ` of ${intent.branch}` : ''}`;
    case 'Rollback':
      return `Rollback${
        intent.previousArtifactId ? ` from ${intent.previousArtifactId}` : ''
      }`;
    case 'ReleaseArtifact':
      return 'Release artifact';
    default:
      return intent.type;
  }
}

/** One row per environment: what runs there, who released it, and drift. */
export function EnvironmentTable(props: { status: ReleaseStatus }) {
  const { status } = props;
  // release-manager's columns only when it said something.
  const has = (key: keyof EnvironmentRelease) =>
    status.environments.some(e => e[key] !== null);
  const columns: Array<TableColumn<EnvironmentRelease> | false> = [
    { title: 'Environment', field: 'environment', highlight: true },
    {
      title: 'Commit',
      field: 'sha',
      render: row => {
        const short = row.sha?.slice(0, 7) ?? '';
        return (
          <>
            {row.commitUrl ? (
              <Link to={row.commitUrl}>
                <code>{short}</code>
              </Link>
            ) : (
              <code title={row.sha ?? undefined}>{short}</code>
            )}
            {row.message && (
              <Typography variant="body2" color="textSecondary">
                {row.message}
              </Typography>
            )}
          </>
        );
      },
    },
    has('artifactId') && {
      title: 'Artifact',
      field: 'artifactId',
      render: row =>
        row.artifactId &&
        (row.buildUrl ? (
          <Link to={row.buildUrl}>{row.artifactId}</Link>
        ) : (
          row.artifactId
        )),
    },
    {
      title: 'Author',
      field: 'author',
      render: row => (
        <>
          {row.author}
          <Typography variant="body2" color="textSecondary">
            {when(row.committedAt)}
          </Typography>
        </>
      ),
    },
    has('releasedAt') && {
      title: 'Released',
      field: 'releasedAt',
      render: row => (
        <>
          {row.releasedBy}
          <Typography variant="body2" color="textSecondary">
            {when(row.releasedAt)}
          </Typography>
        </>
      ),
    },
    has('intent') && {
      title: 'Intent',
      field: 'intent',
      render: row => describeIntent(row.intent),
    },
    {
      title: 'Drift',
      field: 'drift',
      render: row => (
        <DriftBadge
          drift={row.drift}
          branch={status.defaultBranch}
          missing={row.driftError}
        />
      ),
    },
  ];
  return (
    <Table<EnvironmentRelease>
      title="Environments"
      options={{ paging: false, search: false, padding: 'dense' }}
      columns={columns.filter((c): c is TableColumn<EnvironmentRelease> => !!c)}
      data={status.environments}
    />
  );
}
