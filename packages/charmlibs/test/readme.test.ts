import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (rel: string): string => readFileSync(new URL(rel, import.meta.url), 'utf8');

describe('README', () => {
  it('shows the interface definition the tests use', () => {
    const fixture = read('./fixtures/greeting.ts').replace(
      "from '../../src/index.js'",
      "from '@opsjs/charmlibs'",
    );
    expect(read('../README.md')).toContain(fixture);
  });

  it('shows the charm calls the fixture charm makes', () => {
    const charm = read('./fixtures/greeting-charm.ts');
    for (const line of [
      "readonly greeting = new greetingV0.Requirer(this, 'greeting');",
      'this.observe(this.greeting.on.ready, this.onReady);',
      'this.greeting.writeApp(relation, { name: this.app.name });',
    ]) {
      expect(charm).toContain(line);
      expect(read('../README.md')).toContain(line);
    }
  });
});
