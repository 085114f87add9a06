import { useEffect, useRef, useState } from 'react';
import {
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  FormControlLabel,
  TextField,
  Typography,
} from '@material-ui/core';
import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import {
  DeadLetterSelection,
  RedeliveryDryRun,
  RedeliveryRateStep,
} from '@internal/plugin-dead-letter-common';
import { deadLetterApiRef } from '@internal/plugin-dead-letter-react';
import {
  PendingAction,
  RedeliveryPace,
  reasonOf,
  useActions,
} from './useActions';
import { duration } from '../format';
import { PreviewDetails } from './PreviewDetails';

/** Seconds at each slow step before the target rate, when ramping up. */
const RAMP_STEP_SECONDS = 30;

/**
 * A freshly fixed service is not flooded: 1 message per second, then a tenth
 * of the target, each for {@link RAMP_STEP_SECONDS}, then the target.
 */
export function rampTo(rate: number): RedeliveryRateStep[] {
  const tenth = Math.max(1, Math.round(rate / 10));
  return [
    { rate: 1, seconds: RAMP_STEP_SECONDS },
    ...(tenth > 1 && tenth < rate
      ? [{ rate: tenth, seconds: RAMP_STEP_SECONDS }]
      : []),
  ];
}

/**
 * What a redelivery would do, asked of the backend before anything is sent
 * (a dry run): how many messages, whose, how long at the chosen rate, where
 * they go, which errors, samples and warnings. `onPreview` gets each dry
 * run (undefined while one is being asked for): its token makes the job
 * take exactly the previewed messages.
 */
function RedeliveryPreview(props: {
  selection: DeadLetterSelection;
  rate: string;
  ramp: boolean;
  onDefaultRate: (rate: number) => void;
  onPreview: (preview: RedeliveryDryRun | undefined) => void;
}) {
  const { selection, rate, ramp, onDefaultRate, onPreview } = props;
  const api = useApi(deadLetterApiRef);
  const wanted = Number(rate);
  const valid = rate === '' || (Number.isFinite(wanted) && wanted > 0);
  // Only the latest dry run counts: an earlier one answering late must not
  // hand over its token (a newer preview of the selection replaced it).
  const latest = useRef(0);
  const preview = useAsync(async () => {
    const call = ++latest.current;
    onPreview(undefined);
    if (!valid) return undefined;
    // Typing a rate asks once it settles, not per keystroke.
    await new Promise(r => setTimeout(r, rate === '' ? 0 : 300));
    if (call !== latest.current) return undefined;
    const result = await api.previewRedelivery({
      ...selection,
      ...(rate !== '' && { rate: wanted }),
      ...(ramp && rate !== '' && { ramp: rampTo(wanted) }),
    });
    if (call !== latest.current) return undefined;
    if (rate === '') onDefaultRate(result.rate);
    onPreview(result);
    return result;
  }, [api, JSON.stringify(selection), rate, ramp]);
  if (!valid)
    return (
      <Typography color="error">
        The rate is a number of messages per second, above 0.
      </Typography>
    );
  if (preview.loading) return <Progress />;
  if (preview.error)
    return (
      <Typography color="error" role="alert">
        {reasonOf(preview.error)}
      </Typography>
    );
  const p = preview.value;
  if (!p) return null;
  const squads = p.squads.map(s => s ?? '(no owner)').join(', ');
  return (
    <>
      <Typography variant="body2" aria-label="Redelivery preview">
        {p.total.toLocaleString('en-US')} messages
        {squads ? ` of ${squads}` : ''} go back to the exchanges they were first
        published to, at up to {p.rate} per second
        {p.ramp ? ' after a slow start' : ''}: about {duration(p.etaSeconds)}.
        Exactly these are redelivered: messages arriving after this preview are
        left alone. Progress, pause and cancel are under Redeliveries.
      </Typography>
      <PreviewDetails preview={p} />
    </>
  );
}

/**
 * Asks before a redelivery or deletion waiting in `actions`; `describe`
 * says what is about to happen. A redelivery asks for its rate and shows
 * the backend's preview first.
 */
export function ActionDialog(props: {
  actions: ReturnType<typeof useActions>;
  describe: (pending: PendingAction) => string;
}) {
  const { actions, describe } = props;
  const { pending } = actions;
  const deleting = pending?.kind === 'delete';
  const [rate, setRate] = useState('');
  const [ramp, setRamp] = useState(false);
  // The environment's default fills the field once; after that it is
  // the person's (an emptied field stays empty).
  const [touched, setTouched] = useState(false);
  const [preview, setPreview] = useState<RedeliveryDryRun>();
  const reset = () => {
    setRate('');
    setRamp(false);
    setTouched(false);
    setPreview(undefined);
  };
  const close = () => {
    reset();
    actions.cancel();
  };
  const confirm = () => {
    const pace: RedeliveryPace = {
      ...(rate !== '' && {
        rate: Number(rate),
        ...(ramp && { ramp: rampTo(Number(rate)) }),
      }),
      ...(preview && { previewToken: preview.previewToken }),
    };
    // The fields stay until the dialog closes: emptying them now would ask
    // for a new dry run, replacing the preview whose token the job uses.
    actions.confirm(pace);
  };
  useEffect(() => {
    if (!pending) reset();
  }, [pending]);
  return (
    <Dialog
      open={!!pending}
      onClose={close}
      aria-labelledby="dl-confirm-title"
      maxWidth={deleting ? 'sm' : 'md'}
      fullWidth={!deleting}
    >
      <DialogTitle id="dl-confirm-title">
        {deleting ? 'Confirm deletion' : 'Confirm redelivery'}
      </DialogTitle>
      <DialogContent>
        <DialogContentText component="div">
          {pending && describe(pending)}
        </DialogContentText>
        {pending && !deleting && (
          <>
            <TextField
              id="dl-redelivery-rate"
              label="Rate (messages per second)"
              type="number"
              size="small"
              variant="outlined"
              value={rate}
              inputProps={{ min: 1 }}
              onChange={e => {
                setTouched(true);
                setRate(e.target.value);
              }}
              style={{ marginBottom: 8 }}
            />
            <FormControlLabel
              control={
                <Checkbox
                  checked={ramp}
                  onChange={e => setRamp(e.target.checked)}
                />
              }
              label="Start slowly (1 per second, then a tenth of the rate, 30 s each)"
            />
            <RedeliveryPreview
              selection={pending.selection}
              rate={rate}
              ramp={ramp}
              onDefaultRate={r => {
                if (!touched) setRate(String(r));
              }}
              onPreview={setPreview}
            />
          </>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={close} disabled={actions.busy}>
          Cancel
        </Button>
        <Button
          onClick={confirm}
          color={deleting ? 'secondary' : 'primary'}
          variant="contained"
          // A redelivery waits for its preview: the job takes what it showed.
          disabled={actions.busy || (!deleting && !preview)}
        >
          {deleting ? 'Delete' : 'Redeliver'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
