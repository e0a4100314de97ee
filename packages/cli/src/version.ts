import { readFileSync } from 'node:fs';
import { z } from 'zod';

const PackageJsonSchema = z.object({ version: z.string() });

/** The version of `@opsjs/cli` (from its package.json). */
export const cliVersion: string = PackageJsonSchema.parse(
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')),
).version;
