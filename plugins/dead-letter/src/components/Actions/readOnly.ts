import { createContext, useContext } from 'react';
import { EnvironmentStatus } from '@internal/plugin-dead-letter-common';

/** Why actions are off in the shown environment; undefined: they are not. */
const ReadOnlyContext = createContext<string | undefined>(undefined);

export const ReadOnlyProvider = ReadOnlyContext.Provider;

/** Why an environment's messages cannot be acted on, if they cannot. */
export function readOnlyReason(env: EnvironmentStatus): string | undefined {
  return env.state === 'sample'
    ? `${env.name} shows sample messages: redeliver and delete work on environments consumed from RabbitMQ.`
    : undefined;
}

export const useReadOnlyReason = () => useContext(ReadOnlyContext);
