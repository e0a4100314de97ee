import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes a built interface package whose dist exports one duck-typed definition. */
export function writeInterfacePackage(
  dir: string,
  options: { version: string; providerSchema: object; released?: object },
): void {
  mkdirSync(join(dir, 'dist'), { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: '@fixture/interface-demo',
      version: options.version,
      type: 'module',
      charmlibs: { interfaces: [{ name: 'demo', version: 1 }] },
    }),
  );
  writeFileSync(
    join(dir, 'dist', 'index.js'),
    `export const demoV1 = { name: 'demo', version: 1, jsonSchemas: () => (${JSON.stringify({
      provider: options.providerSchema,
      requirer: { type: 'object', properties: {} },
    })}) };\n`,
  );
  if (options.released !== undefined) {
    mkdirSync(join(dir, 'schemas'), { recursive: true });
    writeFileSync(join(dir, 'schemas', 'released.json'), JSON.stringify(options.released));
  }
}

/** The provider schema of the fixture's released version. */
export const RELEASED_PROVIDER = {
  type: 'object',
  properties: {
    app: {
      type: 'object',
      properties: { url: { type: 'string' }, port: { type: 'string' } },
      required: ['url'],
    },
  },
  required: ['app'],
};
