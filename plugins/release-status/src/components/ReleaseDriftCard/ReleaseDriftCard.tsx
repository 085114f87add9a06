import {
  List,
  ListItem,
  ListItemText,
  ListItemSecondaryAction,
  Typography,
} from '@material-ui/core';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  entityRouteParams,
  entityRouteRef,
  useEntity,
} from '@backstage/plugin-catalog-react';
import { useRouteRef } from '@backstage/core-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import useAsync from 'react-use/esm/useAsync';
import {
  DriftBadge,
  releaseStatusApiRef,
  useEnvironments,
} from '@internal/plugin-release-status-react';
import { PendingSummary } from '../ReleasesContent';

/** "Release drift" card for a component's overview. */
export function ReleaseDriftCard() {
  const { entity } = useEntity();
  const api = useApi(releaseStatusApiRef);
  const { production } = useEnvironments();
  const entityRoute = useRouteRef(entityRouteRef);
  const ref = stringifyEntityRef(entity);
  const { value, loading, error } = useAsync(() => api.status(ref), [api, ref]);

  let body;
  if (loading) body = <Progress />;
  else if (error) body = <ResponseErrorPanel error={error} />;
  else if (!value!.environments.length) {
    const problem = value!.sources.find(s => s.state !== 'ok');
    body = (
      <Typography variant="body2" color="textSecondary">
        Not released to any environment
        {problem?.message ? ` (${problem.message})` : ''}.
      </Typography>
    );
  } else {
    body = (
      <>
        <PendingSummary status={value!} production={production} />
        <List dense aria-label="Release drift per environment">
          {value!.environments.map(env => (
            <ListItem key={env.environment}>
              <ListItemText
                primary={env.environment}
                secondary={env.sha?.slice(0, 7)}
              />
              <ListItemSecondaryAction>
                <DriftBadge
                  drift={env.drift}
                  branch={value!.defaultBranch}
                  missing={env.driftError}
                />
              </ListItemSecondaryAction>
            </ListItem>
          ))}
        </List>
      </>
    );
  }
  return (
    <InfoCard
      title="Release drift"
      deepLink={{
        title: 'All environments',
        link: `${entityRoute(entityRouteParams(entity))}/releases`,
      }}
    >
      {body}
    </InfoCard>
  );
}
