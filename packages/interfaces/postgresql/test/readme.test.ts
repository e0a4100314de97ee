import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (rel: string): string => readFileSync(new URL(rel, import.meta.url), 'utf8');

describe('README', () => {
  it('shows code that is in the tested fixture charms', () => {
    const charms = read('./fixtures/charms.ts');
    const readme = read('../README.md');
    const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
    expect(blocks).toHaveLength(2);
    for (const block of blocks) expect(charms).toContain(block);
  });
});
