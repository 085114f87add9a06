import { parseDocument } from 'yaml';

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
 * Parses a shuttle.yaml as strictly as shuttle does: valid YAML, one mapping,
 * only plan/vars/scripts, a plan that is a string or false, vars and scripts
 * that are mappings.
 */
export function parseShuttleYaml(content: string): ShuttleFile {
  const doc = parseDocument(content, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    throw new ShuttleFileError(`invalid YAML: ${first.message.split('\n')[0]}`);
  }
  const data: unknown = doc.toJS();
  if (!isRecord(data)) {
    throw new ShuttleFileError(
      'expected a mapping with plan, vars and scripts',
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
    throw new ShuttleFileError("'plan' must be a plan reference or false");
  }
  for (const key of ['vars', 'scripts'] as const) {
    if (data[key] !== undefined && data[key] !== null && !isRecord(data[key])) {
      throw new ShuttleFileError(`'${key}' must be a mapping`);
    }
  }
  return {
    plan: data.plan as string | false,
    vars: (data.vars as Record<string, unknown>) ?? {},
    scripts: (data.scripts as Record<string, unknown>) ?? {},
  };
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
