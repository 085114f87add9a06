export { ActionDialog } from './ActionDialog';
export { OutcomePanel } from './OutcomePanel';
export {
  jobOutcome,
  reasonOf,
  useActionPermissions,
  useActions,
} from './useActions';
export type { ActionOutcome, PendingAction } from './useActions';
export { ReadOnlyProvider, readOnlyReason } from './readOnly';
