import { HttpRouterService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { isInsideDirectory } from './names';

type Handler = Parameters<HttpRouterService['use']>[0];

/**
 * The catalog reads `file` targets with glob (backslashes as separators), so
 * a pattern or a backslash could reach outside the folder even when the text
 * of the path does not.
 */
const GLOB_OR_BACKSLASH = /[*?[\]{}()!\\]/;

/** Catalog endpoints that take a location in their JSON body. */
const LOCATION_ENDPOINTS: { method: string; path: RegExp }[] = [
  { method: 'POST', path: /^\/locations\/?$/i },
  { method: 'PUT', path: /^\/locations\/[^/]+\/?$/i },
  { method: 'POST', path: /^\/analyze-location\/?$/i },
];

const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Why the catalog must not accept `location`, or undefined: a `file`
 * location must name a file inside `dir` (resolved like the catalog does,
 * against the working directory; `..` may not lead out of it). Other types
 * are left to the catalog's own checks.
 */
export function fileLocationProblem(
  dir: string,
  location: unknown,
): string | undefined {
  if (typeof location !== 'object' || location === null) return undefined;
  const { type, target } = location as { type?: unknown; target?: unknown };
  if (type !== 'file' || typeof target !== 'string') return undefined;
  if (GLOB_OR_BACKSLASH.test(target)) {
    return `File location ${target} is refused: patterns and backslashes are not allowed in registered file locations`;
  }
  if (!isInsideDirectory(dir, target)) {
    return `File location ${target} is refused: only files under lunarScaffolder.localGitDirectory (${dir}) may be registered`;
  }
  return undefined;
}

async function readJsonBody(req: AsyncIterable<Buffer>): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new InputError('Request body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new InputError('Request body is not valid JSON');
  }
}

/**
 * Middleware for the catalog's router: refuses `file` locations outside
 * `dir` on every endpoint that registers, updates or analyzes a location,
 * dry runs included. It parses the JSON body itself and hands it on as
 * `req.body` (marked parsed, so the catalog's JSON parser leaves it alone).
 */
export function createFileLocationGuard(dir: string): Handler {
  return (req, _res, next) => {
    const guarded = LOCATION_ENDPOINTS.some(
      e => e.method === req.method && e.path.test(req.path),
    );
    // Without a JSON content type the catalog does not read the body at all.
    if (!guarded || !/json/i.test(req.headers['content-type'] ?? '')) {
      next();
      return;
    }
    readJsonBody(req).then(body => {
      req.body = body;
      (req as { _body?: boolean })._body = true;
      const problem = [body, (body as { location?: unknown })?.location]
        .map(l => fileLocationProblem(dir, l))
        .find(Boolean);
      next(problem ? new InputError(problem) : undefined);
    }, next);
  };
}
