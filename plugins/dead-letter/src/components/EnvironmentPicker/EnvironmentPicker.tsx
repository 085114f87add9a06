import { MenuItem, TextField } from '@material-ui/core';
import { WarningPanel } from '@backstage/core-components';
import { EnvironmentStatus } from '@internal/plugin-dead-letter-common';

/** Chooses the environment whose dead letters are shown. */
export function EnvironmentPicker(props: {
  environments: EnvironmentStatus[];
  selected: EnvironmentStatus;
  onSelect: (name: string) => void;
}) {
  const { environments, selected, onSelect } = props;
  return (
    <TextField
      select
      label="Environment"
      variant="outlined"
      size="small"
      value={selected.name}
      onChange={e => onSelect(e.target.value)}
      style={{ minWidth: 180 }}
      inputProps={{ 'aria-label': 'Environment' }}
    >
      {environments.map(env => (
        <MenuItem key={env.name} value={env.name}>
          {env.state === 'sample' ? `${env.name} (sample data)` : env.name}
        </MenuItem>
      ))}
    </TextField>
  );
}

/**
 * Says when an environment's consumer is not consuming, so that an empty
 * table is not mistaken for "no dead letters".
 */
export function EnvironmentState(props: { environment: EnvironmentStatus }) {
  const { environment: env } = props;
  if (env.state === 'consuming') return null;
  if (env.state === 'sample') {
    return (
      <WarningPanel
        severity="info"
        title={`Sample data: ${env.name} is not connected to RabbitMQ`}
        message={`These ${env.stored} messages come from a sample file so you can look around; redeliver and delete are off. To see real dead letters, start RabbitMQ on this machine (localhost:5672) and run yarn start again.`}
      />
    );
  }
  return (
    <WarningPanel
      severity={env.state === 'connecting' ? 'info' : 'warning'}
      title={`The ${env.name} consumer is ${env.state}`}
      message={`${
        env.reason ?? 'No reason given.'
      } Messages stored so far are shown; new dead letters wait in the ${
        env.queue
      } queue until it consumes again.`}
    />
  );
}
