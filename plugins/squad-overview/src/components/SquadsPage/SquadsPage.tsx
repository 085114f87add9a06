import { useState } from 'react';
import {
  Content,
  ContentHeader,
  Header,
  Page,
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import { EnvironmentSelect } from './EnvironmentSelect';
import { SquadsTable } from './SquadsTable';
import { UnknownOwnersWarning } from './UnknownOwnersWarning';
import { useSquads } from './useSquads';

/**
 * The Squads page (sidebar): every squad and how it is doing. Loading is
 * useSquads; the table, the environment picker and the unknown-owners
 * warning are their own components.
 */
export function SquadsPage() {
  const { value, loading, error } = useSquads();
  const [picked, setPicked] = useState<string>();
  const environment = picked ?? value?.environments[0];

  return (
    <Page themeId="tool">
      <Header
        title="Squads"
        subtitle="Every squad: its people, services, dead letters and release drift"
      />
      <Content>
        <ContentHeader title="Squads">
          {value && value.environments.length > 1 && (
            <EnvironmentSelect
              environments={value.environments}
              value={environment}
              onChange={setPicked}
            />
          )}
        </ContentHeader>
        {loading && <Progress />}
        {error && <ResponseErrorPanel error={error} />}
        {value?.problems.map(p => (
          <WarningPanel
            key={p}
            severity="warning"
            title="Some numbers are missing"
            message={p}
          />
        ))}
        {value && value.unknown.length > 0 && (
          <UnknownOwnersWarning owners={value.unknown} />
        )}
        {value && (
          <SquadsTable
            rows={value.rows}
            environment={environment}
            production={value.production}
          />
        )}
      </Content>
    </Page>
  );
}
