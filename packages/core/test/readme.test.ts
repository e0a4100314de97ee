import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const fixture = path.join(root, 'test', 'fixtures', 'demo-charm');

describe('README', () => {
  it('shows the demo charm that the process-level tests run', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```ts\n\/\/ [^\n]*\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks).toEqual(
      ['charm-metadata.ts', 'demo-charm.ts', 'main.ts'].map((f) =>
        fs.readFileSync(path.join(fixture, f), 'utf8'),
      ),
    );
  });
});
