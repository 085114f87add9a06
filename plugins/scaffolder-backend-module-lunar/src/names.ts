import path from 'node:path';

/**
 * A name for a repository, component and Kubernetes service: an RFC 1035
 * label (what Kubernetes accepts as a Service name), so it starts with a
 * letter; that also keeps it a valid start of a Go identifier.
 */
export const NAME_PATTERN = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Why a name cannot be used, or undefined when it can. */
export function dnsLabelProblem(name: string): string | undefined {
  if (!name) return 'Name is required';
  if (name.length > 63) {
    return `Name "${name}" is ${name.length} characters long; at most 63 are allowed`;
  }
  if (!/^[a-z]/i.test(name)) {
    return `Name "${name}" must start with a letter (a-z), not "${name[0]}"`;
  }
  if (!NAME_PATTERN.test(name)) {
    return `Name "${name}" must be a DNS label: lowercase letters, digits and '-', starting with a letter and ending with a letter or digit`;
  }
  return undefined;
}

/**
 * Go keywords: none can be a package name, and a library's package name is
 * its name without '-'.
 */
export const GO_KEYWORDS = [
  'break',
  'case',
  'chan',
  'const',
  'continue',
  'default',
  'defer',
  'else',
  'fallthrough',
  'for',
  'func',
  'go',
  'goto',
  'if',
  'import',
  'interface',
  'map',
  'package',
  'range',
  'return',
  'select',
  'struct',
  'switch',
  'type',
  'var',
];

/** The Go package name the library template derives from a name. */
export function goPackageName(name: string): string {
  return name.replace(/-/g, '');
}

/** Why a name cannot name a Go package, or undefined when it can. */
export function goPackageProblem(name: string): string | undefined {
  const pkg = goPackageName(name);
  if (GO_KEYWORDS.includes(pkg)) {
    return `Name "${name}" gives the Go package name "${pkg}", which is a Go keyword; choose another name (e.g. ${pkg}util)`;
  }
  return undefined;
}

/** The bare repository and the clone the catalog reads, for one name. */
export function localRepoPaths(dir: string, repoName: string) {
  return {
    bare: path.join(dir, `${repoName}.git`),
    workingCopy: path.join(dir, repoName),
  };
}

/**
 * True when `target` (resolved against the working directory, like the
 * catalog's file reader does) is inside `dir`, not `dir` itself and not
 * outside it through `..`.
 */
export function isInsideDirectory(dir: string, target: string): boolean {
  const rel = path.relative(path.resolve(dir), path.resolve(target));
  return (
    rel !== '' &&
    rel !== '..' &&
    !rel.startsWith(`..${path.sep}`) &&
    !path.isAbsolute(rel)
  );
}

/**
 * The most useful message of an error: for a catalog client's
 * ResponseError, the server's own message instead of "Request failed with
 * 400 Bad Request".
 */
export function errorMessage(e: unknown): string {
  const err = e as any;
  return (
    err?.body?.error?.message ??
    err?.cause?.message ??
    err?.message ??
    String(e)
  );
}
