import { Box } from '@material-ui/core';
import { WarningPanel } from '@backstage/core-components';
import { SourceState } from '@internal/plugin-release-status-common';

const SEVERITY = {
  ok: 'info',
  'not-configured': 'info',
  'unknown-service': 'warning',
  unreachable: 'error',
  error: 'error',
} as const;

const TITLES: Record<SourceState['source'], string> = {
  'release-manager': 'release-manager',
  git: 'Git',
};

/**
 * Says which sources did not answer for this service and why; nothing when
 * all answered. A source that is not configured is information, not an
 * error.
 */
export function SourceStates(props: { sources: SourceState[] }) {
  const problems = props.sources.filter(s => s.state !== 'ok');
  if (!problems.length) return null;
  return (
    <>
      {problems.map(s => (
        <Box mb={2} key={s.source}>
          <WarningPanel
            severity={SEVERITY[s.state]}
            title={`${TITLES[s.source]}: ${describe(s.state)}`}
            message={s.message}
          />
        </Box>
      ))}
    </>
  );
}

function describe(state: SourceState['state']) {
  switch (state) {
    case 'not-configured':
      return 'not configured';
    case 'unknown-service':
      return 'does not know this service';
    case 'unreachable':
      return 'could not be reached';
    default:
      return 'answered with an error';
  }
}
