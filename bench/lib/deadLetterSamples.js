// Lunar-like dead letters for the dead-letter benchmarks: the services
// that dead-letter them, the error texts they carry (see the seeds), and
// realistic dead-lettered messages to fill a queue with.
const crypto = require('node:crypto');
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

/** The i-th realistic dead-lettered message. */
function message(i) {
  const service = SERVICES[i % SERVICES.length];
  const queue = `prod-k8s-commandstreams_bankaccount_account_${service}`;
  const body = JSON.stringify({
    eventId: crypto.randomUUID(),
    accountId: `acc-${i % 50000}`,
    amount: { value: (i % 10000) + 0.5, currency: 'DKK' },
    reference: 'x'.repeat(820),
    occurredAt: new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString(),
  });
  return {
    body: Buffer.from(body),
    options: {
      messageId: `bench-${i}`,
      correlationId: `corr-${i}`,
      contentType: 'application/json',
      timestamp: Math.floor(Date.now() / 1000),
      headers: {
        'x-error': ERRORS[i % ERRORS.length],
        'x-first-death-queue': queue,
        'x-first-death-reason': 'rejected',
        'x-first-death-exchange': 'bankaccount',
        'x-death': [
          {
            count: 1,
            reason: 'rejected',
            queue,
            exchange: 'bankaccount',
            'routing-keys': ['bankaccount.account.ReserveFundsResponseV1'],
          },
        ],
      },
    },
  };
}

/** Fills `queue` (a quorum queue, emptied first) with messages 0..n-1. */
async function fillQueue(connection, queue, n) {
  const ch = await connection.createConfirmChannel();
  await ch.assertQueue(queue, {
    durable: true,
    arguments: { 'x-queue-type': 'quorum' },
  });
  await ch.purgeQueue(queue);
  for (let i = 0; i < n; i++) {
    const m = message(i);
    if (!ch.sendToQueue(queue, m.body, m.options))
      await new Promise(r => ch.once('drain', r));
    if (i % 5000 === 4999) await ch.waitForConfirms();
  }
  await ch.waitForConfirms();
  await ch.close();
}

module.exports = { SERVICES, ERRORS, message, fillQueue };
