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
  const environments = value?.deadLetters.environments ?? [];
  const environment = picked ?? environments[0];
  // Sections whose source failed: the rest of the numbers still show.
  const problems = value
    ? [
        value.deadLetters.error,
        value.releases.error,
        value.unknownOwners.error,
      ].flatMap(e => (e ? [e.message] : []))
    : [];

  return (
    <Page themeId="tool">
      <Header
        title="Squads"
        subtitle="Every squad: its people, services, dead letters and release drift"
      />
      <Content>
        <ContentHeader title="Squads">
          {environments.length > 1 && (
            <EnvironmentSelect
              environments={environments}
              value={environment}
              onChange={setPicked}
            />
          )}
        </ContentHeader>
        {loading && <Progress />}
        {error && <ResponseErrorPanel error={error} />}
        {problems.map(p => (
          <WarningPanel
            key={p}
            severity="warning"
            title="Some numbers are missing"
            message={p}
          />
        ))}
        {value && value.unknownOwners.items.length > 0 && (
          <UnknownOwnersWarning owners={value.unknownOwners.items} />
        )}
        {value && (
          <SquadsTable
            rows={value.squads}
            environment={environment}
            production={value.releases.production ?? undefined}
          />
        )}
      </Content>
    </Page>
  );
}
