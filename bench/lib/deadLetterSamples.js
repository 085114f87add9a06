// Lunar-like dead letters for the dead-letter benchmarks: the services
// that dead-letter them and the error texts they carry (see the seeds).
/** Services whose messages are dead-lettered. */
const SERVICES = [
  'term-deposit',
  'bankaccount',
  'card-clearing',
  'authentication',
  'onboarding',
  'credit-scoring',
  'payments',
  'ledger',
];
/** Error texts, as the x-error header carries them. */
const ERRORS = [
  'ctx handler: insufficient_funds: insufficient funds',
  'ctx handler: record not found',
  'ctx handler: timeout calling card-scheme',
  'ctx handler: validation failed: amount must be positive',
];

module.exports = { SERVICES, ERRORS };
