/**
 * The `lunar.app/*` annotations: written by the shuttle.yaml processor (from
 * shuttle.yaml, plan.yaml and the repository around them) and read by the
 * other plugins and the app. Every plugin names them from here; a test
 * (`vocabulary.test.ts`) fails when one is spelled out anywhere else.
 */
export const LUNAR_ANNOTATIONS = {
  /** The shuttle plan reference, verbatim (`false` for no plan). */
  shuttlePlan: 'lunar.app/shuttle-plan',
  /** The plan's name (its repository's name), e.g. `lw-shuttle-go-plan`. */
  shuttlePlanName: 'lunar.app/shuttle-plan-name',
  /** The branch, tag or commit of the plan (`master` when none is pinned). */
  shuttlePlanRef: 'lunar.app/shuttle-plan-ref',
  /** How spec.type was decided: `plan`, `vars.type`, `repository` or `default`. */
  shuttleTypeSource: 'lunar.app/shuttle-type-source',
  /** The owner group's ref when that group is not in the catalog. */
  unknownOwner: 'lunar.app/unknown-owner',
  /** The service's name in release-manager (shuttle.yaml `vars.service`). */
  releaseManagerService: 'lunar.app/release-manager-service',
  /** `true` when the service asks the platform for an ingress. */
  ingress: 'lunar.app/ingress',
  /** `vars.domain`; the shared-entities provider turns it into a Domain. */
  domain: 'lunar.app/domain',
  /** Comma-separated RabbitMQ exchanges the service declares. */
  rabbitmqExchanges: 'lunar.app/rabbitmq-exchanges',
  /** Comma-separated RabbitMQ queues the service consumes. */
  rabbitmqQueues: 'lunar.app/rabbitmq-queues',
  /** Dead letters in an alert window that a spike must exceed (a whole number), instead of the environment's. */
  deadLetterAlertFloor: 'lunar.app/dead-letter-alert-floor',
  /** How many times its baseline a service's dead letters must be for a spike, instead of the environment's. */
  deadLetterAlertMultiplier: 'lunar.app/dead-letter-alert-multiplier',
  /** ISO time until which the service's dead letters raise no alert. */
  deadLetterAlertMutedUntil: 'lunar.app/dead-letter-alert-muted-until',
} as const;

/** One of the {@link LUNAR_ANNOTATIONS}. */
export type LunarAnnotation =
  (typeof LUNAR_ANNOTATIONS)[keyof typeof LUNAR_ANNOTATIONS];
