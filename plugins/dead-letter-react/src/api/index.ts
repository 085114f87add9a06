export { deadLetterApiRef } from './DeadLetterApi';
export type { DeadLetterApi } from './DeadLetterApi';
export { DeadLetterClient } from './DeadLetterClient';
