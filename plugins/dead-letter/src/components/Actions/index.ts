export { ActionDialog } from './ActionDialog';
export { useActions } from './useActions';
export type { ActionOutcome, PendingAction } from './useActions';
