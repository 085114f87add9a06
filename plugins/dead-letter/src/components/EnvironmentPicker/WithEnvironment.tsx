import { ReactNode } from 'react';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { EnvironmentStatus } from '@internal/plugin-dead-letter-common';
import { useEnvironment } from '../../hooks/useEnvironment';
import { EnvironmentPicker } from './EnvironmentPicker';
import { NoEnvironments } from './NoEnvironments';
import { ReadOnlyProvider, readOnlyReason } from '../Actions/readOnly';

/**
 * Loads the environments and renders `children` for the selected one, with
 * the picker to place; meanwhile progress, the error, or how to configure
 * environments when there are none.
 */
export function WithEnvironment(props: {
  children: (selected: EnvironmentStatus, picker: JSX.Element) => ReactNode;
}) {
  const env = useEnvironment();
  if (env.loading) return <Progress />;
  if (env.error) return <ResponseErrorPanel error={env.error} />;
  if (!env.environments?.length || !env.selected) return <NoEnvironments />;
  return (
    <ReadOnlyProvider value={readOnlyReason(env.selected)}>
      {props.children(
        env.selected,
        <EnvironmentPicker
          environments={env.environments}
          selected={env.selected}
          onSelect={env.select}
        />,
      )}
    </ReadOnlyProvider>
  );
}
