import {
  parsePlanYaml,
  parseShuttleYaml,
  planName,
  planRef,
} from './parseShuttleYaml';

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

describe('planRef', () => {
  it.each([
    ['git://git@github.com:lunarway/lw-shuttle-go-plan.git', 'master'],
    ['git://git@github.com:lunarway/lw-shuttle-go-plan.git#v1.2.3', 'v1.2.3'],
    ['https://github.com/lunarway/plan.git#0f3a9c1', '0f3a9c1'],
    ['../plans/my-plan', undefined],
  ])('%s -> %s', (plan, ref) => {
    expect(planRef(plan)).toBe(ref);
  });
});

describe('YAML errors', () => {
  const message = (content: string) => {
    try {
      parseShuttleYaml(content);
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('no error');
  };

  it('keep the whole parser message with line and column', () => {
    const text = message('plan: false\nvars:\n  a: 1\n  a: 2\n');
    expect(text).toMatch(
      /^invalid YAML: Map keys must be unique at line 4, column 3\n/,
    );
    // The excerpt the parser points at is kept, not cut to the first line.
    expect(text).toContain('  a: 2');
    expect(text).not.toMatch(/:\s*$/);
    expect(text.split('\n')[0]).not.toMatch(/:$/);
  });

  it('report every error, not only the first', () => {
    const text = message('a: 1\na: 2\nb: [x\n');
    expect(text).toMatch(/Map keys must be unique at line 2, column 1/);
    expect(text).toMatch(/Flow sequence .* at line \d+, column \d+/);
  });
});

describe('parsePlanYaml', () => {
  it('accepts vars, documentation and scripts', () => {
    expect(
      parsePlanYaml(
        'vars: {a: 1}\ndocumentation: https://x\nscripts:\n  build: {actions: [{shell: make}]}\n',
      ),
    ).toEqual({
      vars: { a: 1 },
      documentation: 'https://x',
      scripts: { build: { actions: [{ shell: 'make' }] } },
    });
  });

  it.each([
    ['an empty file', '', /the plan is empty/],
    ['only a comment', '# nothing yet\n', /the plan is empty/],
    ['a list', '- a\n', /expected a mapping .*, got a list/],
    [
      'a shuttle.yaml key',
      'plan: false\nscripts: {}\n',
      /unknown top-level key 'plan'; a shuttle plan allows only vars, documentation and scripts/,
    ],
    [
      'scripts as a list',
      'scripts: [a]\n',
      /'scripts' must be a mapping, got a list/,
    ],
    [
      'invalid YAML',
      'scripts: {a: [}\n',
      /invalid YAML: .* at line 1, column \d+/,
    ],
  ])('rejects %s', (_what, content, error) => {
    expect(() => parsePlanYaml(content)).toThrow(error);
  });
});
