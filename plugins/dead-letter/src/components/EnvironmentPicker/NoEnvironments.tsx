import { CodeSnippet, EmptyState } from '@backstage/core-components';

/** Shown when `deadLetter.environments` is empty. */
export function NoEnvironments() {
  return (
    <EmptyState
      missing="field"
      title="No dead-letter environments are configured"
      description="Add the RabbitMQ dead-letter queue of each environment to app-config.yaml; the backend then consumes it and the messages show up here."
      action={
        <CodeSnippet
          language="yaml"
          text={`deadLetter:
  environments:
    - name: dev
      amqp:
        url: amqp://guest:guest@localhost:5672
        queue: dead-letters`}
        />
      }
    />
  );
}
