import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
} from '@material-ui/core';
import { PendingAction, useActions } from './useActions';

/**
 * Asks before a redelivery or deletion waiting in `actions`; `describe`
 * says what is about to happen.
 */
export function ActionDialog(props: {
  actions: ReturnType<typeof useActions>;
  describe: (pending: PendingAction) => string;
}) {
  const { actions, describe } = props;
  const { pending } = actions;
  const deleting = pending?.kind === 'delete';
  return (
    <Dialog
      open={!!pending}
      onClose={actions.cancel}
      aria-labelledby="dl-confirm-title"
    >
      <DialogTitle id="dl-confirm-title">
        {deleting ? 'Confirm deletion' : 'Confirm redelivery'}
      </DialogTitle>
      <DialogContent>
        <DialogContentText component="div">
          {pending && describe(pending)}
        </DialogContentText>
      </DialogContent>
      <DialogActions>
        <Button onClick={actions.cancel} disabled={actions.busy}>
          Cancel
        </Button>
        <Button
          onClick={actions.confirm}
          color={deleting ? 'secondary' : 'primary'}
          variant="contained"
          disabled={actions.busy}
        >
          {deleting ? 'Delete' : 'Redeliver'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
