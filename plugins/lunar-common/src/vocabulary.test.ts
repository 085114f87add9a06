import fs from 'node:fs';
import path from 'node:path';
import { LUNAR_ANNOTATIONS } from './annotations';

/**
 * One home for each shared name: outside this package, source files (tests
 * aside, which spell expected values out on purpose) name Lunar's
 * annotations and the squad prefix through @internal/plugin-lunar-common.
 */
const ROOT = path.resolve(__dirname, '../../..');
const HOME = path.resolve(__dirname, '..');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (['node_modules', 'dist', 'dist-types'].includes(entry.name)) continue;
      out.push(...sourceFiles(full));
    } else if (
      /\.(ts|tsx|js)$/.test(entry.name) &&
      !/\.test\.(ts|tsx|js)$/.test(entry.name) &&
      !full.includes(`${path.sep}__testUtils__${path.sep}`)
    ) {
      out.push(full);
    }
  }
  return out;
}

/** The code of a file without its comments (a comment may name anything). */
function code(file: string): string {
  return fs
    .readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
}

const files = ['plugins', 'packages'].flatMap(top =>
  fs
    .readdirSync(path.join(ROOT, top))
    .map(p => path.join(ROOT, top, p, 'src'))
    .filter(src => fs.existsSync(src) && !src.startsWith(HOME))
    .flatMap(sourceFiles),
);

describe('the shared vocabulary', () => {
  it('finds the sources it checks', () => {
    expect(files.length).toBeGreaterThan(100);
  });

  it('is the only place that spells out a lunar.app annotation', () => {
    const offenders = files
      .filter(f => /['"`]lunar\.app\//.test(code(f)))
      .map(f => path.relative(ROOT, f));
    expect(offenders).toEqual([]);
  });

  it('is the only place that spells out the squad prefix', () => {
    const offenders = files
      .filter(f => /['"`]squad-(['"`]|\$\{)/.test(code(f)))
      .map(f => path.relative(ROOT, f));
    expect(offenders).toEqual([]);
  });

  it('names every annotation under lunar.app/ once', () => {
    const values = Object.values(LUNAR_ANNOTATIONS);
    expect(new Set(values).size).toBe(values.length);
    for (const v of values) expect(v).toMatch(/^lunar\.app\/[a-z][a-z-]*$/);
  });
});
