import { ConfigReader } from '@backstage/config';
import { readAlertSettings } from './config';

const read = (deadLetter?: object) =>
  readAlertSettings(new ConfigReader(deadLetter ? { deadLetter } : {}));

describe('alert settings in config', () => {
  it('defaults to a 10-minute window, floor 50, 5 times normal, every minute', () => {
    const settings = read();
    expect(settings.intervalSeconds).toBe(60);
    expect(settings.releaseWindowMinutes).toBe(60);
    expect(settings.environment('prod')).toEqual({
      enabled: true,
      windowMinutes: 10,
      floor: 50,
      multiplier: 5,
    });
  });

  it('lets each environment override the plugin-wide keys one by one', () => {
    const settings = read({
      alerts: { floor: 20, multiplier: 3, intervalSeconds: 30 },
      environments: [
        { name: 'dev', amqp: { url: 'amqp://x' }, alerts: { enabled: false } },
        {
          name: 'prod',
          amqp: { url: 'amqp://x' },
          alerts: { floor: 100, windowMinutes: 5 },
        },
      ],
    });
    expect(settings.intervalSeconds).toBe(30);
    expect(settings.environment('dev')).toEqual({
      enabled: false,
      windowMinutes: 10,
      floor: 20,
      multiplier: 3,
    });
    expect(settings.environment('prod')).toEqual({
      enabled: true,
      windowMinutes: 5,
      floor: 100,
      multiplier: 3,
    });
    expect(settings.environment('unconfigured').floor).toBe(20);
  });

  it('names the key of a bad value', () => {
    expect(() => read({ alerts: { multiplier: 0.5 } })).toThrow(
      'deadLetter.alerts.multiplier: must be a number, at least 1',
    );
    expect(() =>
      read({
        environments: [
          { name: 'prod', amqp: { url: 'amqp://x' }, alerts: { floor: -1 } },
        ],
      }),
    ).toThrow('deadLetter.environments[prod].alerts.floor');
    expect(() => read({ alerts: { intervalSeconds: 1 } })).toThrow(
      'deadLetter.alerts.intervalSeconds',
    );
    expect(() => read({ alerts: { windowMinutes: 2.5 } })).toThrow(
      'deadLetter.alerts.windowMinutes',
    );
  });
});
