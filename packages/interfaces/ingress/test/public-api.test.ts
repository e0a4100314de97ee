import * as api from '@opsjs/interface-ingress';
import { describe, expect, it } from 'vitest';

describe('@opsjs/interface-ingress public entry point', () => {
  it('resolves through exports to the built package', () => {
    expect(import.meta.resolve('@opsjs/interface-ingress')).toMatch(/\/dist\/index\.js$/);
    expect(Object.keys(api).sort()).toEqual(['IngressProvider', 'IngressRequirer', 'ingressV2']);
    expect(api.ingressV2).toMatchObject({ name: 'ingress', version: 2 });
  });
});
