export { ActionDialog } from './ActionDialog';
export { useActionPermissions, useActions } from './useActions';
export type { ActionOutcome, PendingAction } from './useActions';
export { ReadOnlyProvider, readOnlyReason } from './readOnly';
