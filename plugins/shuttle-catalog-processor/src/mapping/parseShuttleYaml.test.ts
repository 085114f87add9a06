import { planName } from './parseShuttleYaml';

describe('planName', () => {
  it.each([
    [
      'git://git@github.com:lunarway/lw-shuttle-go-plan.git',
      'lw-shuttle-go-plan',
    ],
    [
      'git://git@github.com:lunarway/lw-shuttle-go-plan.git#v1.2.3',
      'lw-shuttle-go-plan',
    ],
    [
      'https://github.com/lunarway/shuttle-example-go-plan.git',
      'shuttle-example-go-plan',
    ],
    [
      'https://github.com/lunarway/lw-shuttle-node-plan',
      'lw-shuttle-node-plan',
    ],
    ['../plans/my-plan/', 'my-plan'],
    ['.', undefined],
  ])('%s -> %s', (plan, name) => {
    expect(planName(plan)).toBe(name);
  });

  it('is undefined for plan: false', () => {
    expect(planName(false)).toBeUndefined();
  });
});
