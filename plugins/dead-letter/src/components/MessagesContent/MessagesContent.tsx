import { useState } from 'react';
import { Box, Grid, Tab, Tabs } from '@material-ui/core';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { useEnvironment } from '../../hooks/useEnvironment';
import { EnvironmentPicker, EnvironmentState } from '../EnvironmentPicker';
import { NoEnvironments } from '../DeadLetterPage';
import { ErrorGroups } from '../ErrorGroups';
import { MessageTable } from './MessageTable';

/** A component's DEAD LETTER tab: its messages and error groups. */
export function MessagesContent() {
  const { entity } = useEntity();
  const service = entity.metadata.name;
  const env = useEnvironment();
  const [tab, setTab] = useState(0);
  if (env.loading) return <Progress />;
  if (env.error) return <ResponseErrorPanel error={env.error} />;
  if (!env.environments?.length || !env.selected) return <NoEnvironments />;
  return (
    <Grid container spacing={2}>
      <Grid item xs={12}>
        <Box display="flex" alignItems="center" style={{ gap: 16 }}>
          <EnvironmentPicker
            environments={env.environments}
            selected={env.selected}
            onSelect={env.select}
          />
          <Tabs
            value={tab}
            onChange={(_, v) => setTab(v)}
            indicatorColor="primary"
          >
            <Tab label="Messages" />
            <Tab label="Error groups" />
          </Tabs>
        </Box>
      </Grid>
      <Grid item xs={12}>
        <EnvironmentState environment={env.selected} />
      </Grid>
      <Grid item xs={12}>
        {tab === 0 ? (
          <MessageTable environment={env.selected} service={service} />
        ) : (
          <ErrorGroups environment={env.selected.name} service={service} />
        )}
      </Grid>
    </Grid>
  );
}
