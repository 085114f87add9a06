import { useState } from 'react';
import { Box, Button, Chip, Grid, Typography } from '@material-ui/core';
import RefreshIcon from '@material-ui/icons/Refresh';
import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { stringifyEntityRef } from '@backstage/catalog-model';
import useAsync from 'react-use/esm/useAsync';
import { ReleaseStatus, aheadOf } from '@internal/plugin-release-status-common';
import {
  releaseStatusApiRef,
  useEnvironments,
} from '@internal/plugin-release-status-react';
import { SourceStates } from '../SourceStates';
import { EnvironmentTable } from './EnvironmentTable';

/** "In dev, not yet in prod", or that everything is out. */
export function PendingSummary(props: {
  status: ReleaseStatus;
  production: string;
}) {
  const { status, production } = props;
  const ahead = aheadOf(status, production);
  if (!status.environments.length) return null;
  if (!ahead.length) {
    return (
      <Chip
        size="small"
        label={`${production} runs the newest released commit`}
      />
    );
  }
  return (
    <Chip
      size="small"
      color="secondary"
      label={`In ${ahead.join(', ')}, not yet in ${production}`}
    />
  );
}

/** The RELEASES tab of a component. */
export function ReleasesContent() {
  const { entity } = useEntity();
  const api = useApi(releaseStatusApiRef);
  const ref = stringifyEntityRef(entity);
  const { production } = useEnvironments();
  const [refresh, setRefresh] = useState(0);
  // Statuses are computed ahead; Refresh recomputes this one now.
  const { value, loading, error } = useAsync(
    () => (refresh > 0 ? api.refresh(ref) : api.status(ref)),
    [api, ref, refresh],
  );

  if (loading && !value) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  const status = value!;

  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <SourceStates sources={status.sources} />
        <Box display="flex" alignItems="center" mb={1} style={{ gap: 8 }}>
          <Typography variant="h6" component="h2">
            {status.service}
          </Typography>
          <PendingSummary status={status} production={production} />
          <Box flexGrow={1} />
          <Typography variant="caption" color="textSecondary">
            {status.freshness?.state === 'pending'
              ? 'being computed'
              : `as of ${new Date(
                  status.computedAt ?? status.generatedAt,
                ).toLocaleString()}`}
          </Typography>
          <Button
            size="small"
            startIcon={<RefreshIcon />}
            onClick={() => setRefresh(r => r + 1)}
            disabled={loading}
          >
            Refresh
          </Button>
        </Box>
        {status.freshness?.lastError && (
          <Typography variant="body2" color="error">
            Last refresh: {status.freshness.lastError}
          </Typography>
        )}
        {status.environments.length ? (
          <EnvironmentTable status={status} />
        ) : (
          <EmptyState
            missing="data"
            {...(status.freshness?.state === 'pending'
              ? {
                  title: 'Not computed yet',
                  description: `The release status of ${status.service} is being computed for the first time. Refresh in a moment.`,
                }
              : {
                  title: 'Not released to any environment',
                  description: `Neither release-manager nor git knows a release of ${status.service}. A release tags the repository with the environment's name.`,
                })}
          />
        )}
      </Grid>
      <Grid item xs={12} md={6}>
        <InfoCard title="Auto-release policies">
          {status.autoReleasePolicies.length ? (
            <ul aria-label="Auto-release policies">
              {status.autoReleasePolicies.map(p => (
                <li key={p.id}>
                  <code>{p.branch}</code> is released to{' '}
                  <strong>{p.environment}</strong> automatically
                </li>
              ))}
            </ul>
          ) : (
            <Typography variant="body2" color="textSecondary">
              {status.sources.find(s => s.source === 'release-manager')
                ?.state === 'ok'
                ? 'No auto-release policies: every release is manual.'
                : 'Auto-release policies come from release-manager, which did not answer for this service.'}
            </Typography>
          )}
        </InfoCard>
      </Grid>
    </Grid>
  );
}
