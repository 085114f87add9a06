import { ConfigReader } from '@backstage/config';
import { readNotificationSettings } from './config';

const read = (deadLetter?: object) =>
  readNotificationSettings(new ConfigReader(deadLetter ? { deadLetter } : {}));

describe('notification settings in config', () => {
  it('defaults to no fallback group, high severity in prod and normal elsewhere', () => {
    const settings = read();
    expect(settings.fallbackGroup).toBeNull();
    expect(settings.severity('prod')).toBe('high');
    expect(settings.severity('azure-prod')).toBe('high');
    expect(settings.severity('dev')).toBe('normal');
    expect(settings.severity('production-like')).toBe('normal');
  });

  it('reads the fallback group as a group ref and a severity per environment', () => {
    const settings = read({
      notifications: { fallbackGroup: 'platform' },
      environments: [
        { name: 'dev', amqp: { url: 'amqp://x' } },
        {
          name: 'staging',
          amqp: { url: 'amqp://x' },
          notifications: { severity: 'low' },
        },
        {
          name: 'prod',
          amqp: { url: 'amqp://x' },
          notifications: { severity: 'critical' },
        },
      ],
    });
    expect(settings.fallbackGroup).toBe('group:default/platform');
    expect(settings.severity('dev')).toBe('normal');
    expect(settings.severity('staging')).toBe('low');
    expect(settings.severity('prod')).toBe('critical');
    expect(
      read({ notifications: { fallbackGroup: 'group:ops/On-Call' } })
        .fallbackGroup,
    ).toBe('group:ops/on-call');
  });

  it('refuses a fallback that is not a group and an unknown severity, naming the key', () => {
    expect(() =>
      read({ notifications: { fallbackGroup: 'user:default/mette.hansen' } }),
    ).toThrow(
      "deadLetter.notifications.fallbackGroup: 'user:default/mette.hansen' is not a group",
    );
    expect(() =>
      read({
        environments: [
          {
            name: 'prod',
            amqp: { url: 'amqp://x' },
            notifications: { severity: 'urgent' },
          },
        ],
      }),
    ).toThrow(
      "deadLetter.environments[prod].notifications.severity: 'urgent' is not one of critical, high, normal, low",
    );
  });
});
