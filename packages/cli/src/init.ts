import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { reason } from './atomic-file.js';
import { CliError, OutputError, ProjectNotFoundError, UsageError } from './errors.js';
import { loadCharmProject } from './project.js';
import { projectFiles } from './templates/project-files.js';
import { defaultTypesFile, generateTypes } from './typegen.js';

/** The kind of charm `opsjs init` creates. */
export type ProjectKind = 'sidecar' | 'machine';

/** Options of {@link initProject}. */
export interface InitOptions {
  /** The directory to create (its parent must exist; it may exist if empty). */
  readonly dir: string;
  /** `sidecar` (Kubernetes, default) or `machine`. */
  readonly kind?: ProjectKind;
  /** The charm name (default: the directory name). */
  readonly name?: string;
  /** Version range written for the `@opsjs/*` dependencies (default `latest`). */
  readonly opsjsRange?: string;
}

/** What {@link initProject} created. */
export interface InitResult {
  /** Absolute project directory. */
  readonly dir: string;
  /** The charm name. */
  readonly name: string;
  /** The files written, relative to `dir`, sorted. */
  readonly files: readonly string[];
}

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/**
 * Creates a new charm project (charmcraft.yaml, `src/charm.ts` entry, the charm class, the
 * generated metadata types, a test at each depth, README, package.json, tsconfig.json).
 * Everything is written into a temporary directory beside `dir` and renamed into place at the
 * end, so a failure leaves nothing behind.
 *
 * @example
 * ```ts
 * const { dir, files } = await initProject({ dir: 'my-charm', kind: 'machine' });
 * ```
 * @throws {UsageError} when the name is not a valid charm name.
 * @throws {ProjectNotFoundError} when the parent directory does not exist.
 * @throws {OutputError} when `dir` exists and is not an empty directory, or is not writable.
 */
export async function initProject(options: InitOptions): Promise<InitResult> {
  const dir = resolve(options.dir);
  const kind = options.kind ?? 'sidecar';
  const name = options.name ?? basename(dir);
  if (!NAME.test(name)) {
    throw new UsageError(
      `${options.name === undefined ? '<dir>' : '--name'}: ${JSON.stringify(name)} is not a valid charm name (lowercase letters, digits and single hyphens, starting with a letter)`,
      { field: options.name === undefined ? '<dir>' : '--name' },
    );
  }
  const parent = dirname(dir);
  try {
    if (!(await stat(parent)).isDirectory()) throw new Error('not a directory');
  } catch {
    throw new ProjectNotFoundError(`${parent}: directory does not exist (parent of ${dir})`, {
      file: parent,
    });
  }
  let existsEmpty = false;
  try {
    const st = await stat(dir);
    if (!st.isDirectory()) {
      throw new OutputError(`${dir}: exists and is not a directory`, { file: dir });
    }
    if ((await readdir(dir)).length > 0) {
      throw new OutputError(`${dir}: exists and is not empty; choose a new directory`, {
        file: dir,
      });
    }
    existsEmpty = true;
  } catch (cause) {
    if (cause instanceof CliError) throw cause;
  }

  const className = `${name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('')}Charm`;
  const files = projectFiles({
    name,
    kind,
    className,
    classFile: `${name}.ts`,
    opsjsRange: options.opsjsRange ?? 'latest',
  });
  const temp = join(
    parent,
    `.${basename(dir)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(temp, path)), { recursive: true });
      await writeFile(join(temp, path), text);
    }
    const project = loadCharmProject(temp);
    await writeFile(join(temp, defaultTypesFile), generateTypes(project.meta, 'charmcraft.yaml'));
    if (existsEmpty) await rmdir(dir);
    await rename(temp, dir);
  } catch (cause) {
    await rm(temp, { recursive: true, force: true });
    if (cause instanceof CliError) throw cause;
    throw new OutputError(`${dir}: cannot create the project: ${reason(cause)}`, {
      file: dir,
      cause,
    });
  }
  return { dir, name, files: [...Object.keys(files), defaultTypesFile].sort() };
}
