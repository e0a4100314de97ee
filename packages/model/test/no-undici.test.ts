import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const pkgDir = path.join(import.meta.dirname, '..');

/** A minimal machine charm's use of the model: no container touched. */
const machineCharm = `
import { ActiveStatus, CharmMeta, HookToolBackend, JujuContext, Model } from './dist/index.js';
const context = JujuContext.fromEnv();
const model = new Model({
  meta: CharmMeta.fromCharmDir(context.charmDir),
  backend: new HookToolBackend({ context }),
  context,
});
model.unit.status = new ActiveStatus(String(model.config.get('greeting')));
`;

async function bundle(options: { external?: string[]; splitting?: boolean }) {
  const result = await build({
    stdin: { contents: machineCharm, resolveDir: pkgDir, loader: 'ts' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    logLevel: 'silent',
    outdir: path.join(pkgDir, '.bundle-test'),
    ...(options.external === undefined ? {} : { external: options.external }),
    ...(options.splitting ? { splitting: true } : {}),
  });
  return result.outputFiles;
}

describe('a machine charm bundle', () => {
  it('contains the model but no undici when @opsjs/pebble is not installed', async () => {
    // An optional peer that is not installed cannot be resolved: external stands for that.
    const [out, ...rest] = await bundle({ external: ['@opsjs/pebble'] });
    expect(rest).toEqual([]);
    const text = out?.text ?? '';
    expect(text).toContain('relation-ids');
    expect(text.length).toBeGreaterThan(10_000);
    expect(text).not.toMatch(/undici/i);
    expect(text).toContain('import("@opsjs/pebble")');
  });

  it('keeps Pebble and undici out of the entry chunk even when installed', async () => {
    const files = await bundle({ splitting: true });
    const entry = files.find((f) => f.path.endsWith('stdin.js'));
    expect(entry?.text).toContain('relation-ids');
    expect(entry?.text).not.toMatch(/undici/i);
    expect(files.some((f) => /undici/i.test(f.text))).toBe(true);
  });
});

describe('zod imports', () => {
  it('are by name, so bundles tree-shake zod (a namespace import keeps all of it)', () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (/^import (\{ z \}|\* as \w+) from 'zod'/m.test(fs.readFileSync(file, 'utf8'))) {
          offenders.push(path.relative(pkgDir, file));
        }
      }
    };
    walk(path.join(pkgDir, 'src'));
    expect(offenders).toEqual([]);
  });
});
