import { YAMLError, parseDocument } from 'yaml';

/** The three top-level keys shuttle accepts; anything else is an error. */
const TOP_LEVEL_KEYS = ['plan', 'vars', 'scripts'];

/** A shuttle.yaml that passed shuttle's own rules. */
export interface ShuttleFile {
  /** A git reference, a local path, or false (no plan). */
  plan: string | false;
  vars: Record<string, unknown>;
  scripts: Record<string, unknown>;
}

/** Why a shuttle.yaml cannot be used; the message is shown to its owners. */
export class ShuttleFileError extends Error {
  name = 'ShuttleFileError';
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * One YAML error, whole: the parser's reason, its line and column, and the
 * excerpt it points at, e.g.
 * `Map keys must be unique at line 2, column 1:\n\na: 1\na: 2\n^`.
 */
export function describeYamlError(error: YAMLError): string {
  const [reason, ...excerpt] = error.message.split('\n');
  const where = error.linePos?.[0];
  // The parser's first line ends in "at line L, column C:"; keep the reason
  // and say where once, so nothing ends in a dangling colon.
  const head = reason
    .replace(/\s*at line \d+, column \d+:?\s*$/, '')
    .replace(/:\s*$/, '');
  const position = where ? ` at line ${where.line}, column ${where.col}` : '';
  const frame = excerpt.join('\n').replace(/^\n+|\s+$/g, '');
  return `${head}${position}${frame ? `\n${frame}` : ''}`;
}

/** Parses YAML strictly (unique keys); every error is reported whole. */
export function parseYaml(content: string): unknown {
  const doc = parseDocument(content, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ShuttleFileError(
      `invalid YAML: ${doc.errors.map(describeYamlError).join('\n')}`,
    );
  }
  return doc.toJS();
}

/** The YAML type of a value, as a person reading the file would name it. */
export function yamlTypeOf(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (value === '') return 'an empty string';
  return typeof value;
}

/**
 * Parses a shuttle.yaml as strictly as shuttle does: valid YAML, one mapping,
 * only plan/vars/scripts, a plan that is a string or false, vars and scripts
 * that are mappings.
 */
export function parseShuttleYaml(content: string): ShuttleFile {
  const data = parseYaml(content);
  if (!isRecord(data)) {
    throw new ShuttleFileError(
      `expected a mapping with plan, vars and scripts, got ${yamlTypeOf(data)}`,
    );
  }
  const unknownKeys = Object.keys(data).filter(
    k => !TOP_LEVEL_KEYS.includes(k),
  );
  if (unknownKeys.length > 0) {
    throw new ShuttleFileError(
      `unknown top-level key${unknownKeys.length > 1 ? 's' : ''} ${unknownKeys
        .map(k => `'${k}'`)
        .join(', ')}; shuttle allows only plan, vars and scripts`,
    );
  }
  if (!('plan' in data) || data.plan === null || data.plan === undefined) {
    throw new ShuttleFileError("missing 'plan' (a plan reference or false)");
  }
  if (data.plan !== false && (typeof data.plan !== 'string' || !data.plan)) {
    throw new ShuttleFileError(
      `'plan' must be a plan reference or false, got ${yamlTypeOf(data.plan)}`,
    );
  }
  for (const key of ['vars', 'scripts'] as const) {
    if (data[key] !== undefined && data[key] !== null && !isRecord(data[key])) {
      throw new ShuttleFileError(
        `'${key}' must be a mapping, got ${yamlTypeOf(data[key])}`,
      );
    }
  }
  return {
    plan: data.plan as string | false,
    vars: (data.vars as Record<string, unknown>) ?? {},
    scripts: (data.scripts as Record<string, unknown>) ?? {},
  };
}

/** A plan.yaml that passed shuttle's own rules for plans. */
export interface ShuttlePlanFile {
  vars: Record<string, unknown>;
  documentation?: string;
  scripts: Record<string, unknown>;
}

/** The top-level keys shuttle accepts in a plan.yaml. */
const PLAN_KEYS = ['vars', 'documentation', 'scripts'];

/**
 * Parses a plan.yaml as shuttle does (strict decoding of vars, documentation
 * and scripts). An empty file is an error: shuttle cannot load it either.
 */
export function parsePlanYaml(content: string): ShuttlePlanFile {
  const data = parseYaml(content);
  if (data === null || data === undefined) {
    throw new ShuttleFileError(
      'the plan is empty; a plan.yaml needs at least scripts',
    );
  }
  if (!isRecord(data)) {
    throw new ShuttleFileError(
      `expected a mapping with vars, documentation and scripts, got ${yamlTypeOf(
        data,
      )}`,
    );
  }
  const unknownKeys = Object.keys(data).filter(k => !PLAN_KEYS.includes(k));
  if (unknownKeys.length > 0) {
    throw new ShuttleFileError(
      `unknown top-level key${unknownKeys.length > 1 ? 's' : ''} ${unknownKeys
        .map(k => `'${k}'`)
        .join(
          ', ',
        )}; a shuttle plan allows only vars, documentation and scripts`,
    );
  }
  for (const key of ['vars', 'scripts'] as const) {
    if (data[key] !== undefined && data[key] !== null && !isRecord(data[key])) {
      throw new ShuttleFileError(
        `'${key}' must be a mapping, got ${yamlTypeOf(data[key])}`,
      );
    }
  }
  if (
    data.documentation !== undefined &&
    data.documentation !== null &&
    typeof data.documentation !== 'string'
  ) {
    throw new ShuttleFileError(
      `'documentation' must be a string, got ${yamlTypeOf(data.documentation)}`,
    );
  }
  return {
    vars: (data.vars as Record<string, unknown>) ?? {},
    ...(typeof data.documentation === 'string' && {
      documentation: data.documentation,
    }),
    scripts: (data.scripts as Record<string, unknown>) ?? {},
  };
}

/**
 * The branch, tag or commit a plan reference pins (`#ref`); shuttle uses
 * `master` when a git reference names none. Undefined for `plan: false` and
 * local paths.
 */
export function planRef(plan: string | false): string | undefined {
  if (plan === false) return undefined;
  const [repository, ref] = plan.split('#');
  if (ref) return ref;
  return /^(git:\/\/|https:\/\/)/.test(repository) ? 'master' : undefined;
}

/**
 * The plan's name, from a git reference (`git://git@github.com:org/name.git#ref`,
 * `https://host/org/name.git`) or a local path; undefined for `plan: false`.
 */
export function planName(plan: string | false): string | undefined {
  if (plan === false) return undefined;
  const withoutRef = plan.split('#')[0].replace(/\/+$/, '');
  const last = withoutRef.split(/[/:]/).pop() ?? '';
  const name = last.replace(/\.git$/, '');
  return name && name !== '.' && name !== '..' ? name : undefined;
}
