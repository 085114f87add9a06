import { Box } from '@material-ui/core';
import { WarningPanel } from '@backstage/core-components';
import { ActionOutcome } from './useActions';

/** What the last redelivery or deletion did, with its failures. */
export function OutcomePanel(props: { outcome?: ActionOutcome }) {
  const { outcome } = props;
  if (!outcome) return null;
  return (
    <Box role="status">
      <WarningPanel
        severity={outcome.severity}
        title={outcome.text}
        defaultExpanded={outcome.details.length > 0}
      >
        {outcome.details.length > 0 && (
          <ul>
            {outcome.details.map(d => (
              <li key={d}>{d}</li>
            ))}
          </ul>
        )}
      </WarningPanel>
    </Box>
  );
}
