import path from 'node:path';

/** A DNS label (RFC 1123): what Kubernetes accepts as a service name. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Why a name is not a DNS label, or undefined when it is one. */
export function dnsLabelProblem(name: string): string | undefined {
  if (!name) return 'Name is required';
  if (name.length > 63) {
    return `Name "${name}" is ${name.length} characters long; at most 63 are allowed`;
  }
  if (!DNS_LABEL.test(name)) {
    return `Name "${name}" must be a DNS label: lowercase letters, digits and '-', starting and ending with a letter or digit`;
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
