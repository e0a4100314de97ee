import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ingressV2 } from '../src/index.js';
import { published, validatePublished } from './helpers/published.js';

const examples = JSON.parse(
  readFileSync(new URL('./fixtures/example-bags.json', import.meta.url), 'utf8'),
);

describe('ingress v2 against the published schemas', () => {
  it('parses every published example bag', () => {
    for (const bag of examples.valid.requirerApp)
      expect(ingressV2.requirer.app.parse(bag).ok).toBe(true);
    for (const bag of examples.valid.requirerUnit)
      expect(ingressV2.requirer.unit.parse(bag).ok).toBe(true);
    for (const bag of examples.valid.providerApp)
      expect(ingressV2.provider.app.parse(bag).ok).toBe(true);
    expect(ingressV2.provider.app.parse(examples.valid.providerApp[0])).toEqual({
      ok: true,
      data: { ingress: { url: 'http://foo.bar:80/model_name-app_name/0' } },
    });
  });

  it('rejects the examples the upstream tests treat as invalid', () => {
    for (const bag of examples.invalid.requirerApp)
      expect(ingressV2.requirer.app.parse(bag).ok).toBe(false);
    for (const bag of examples.invalid.requirerUnit)
      expect(ingressV2.requirer.unit.parse(bag).ok).toBe(false);
  });

  it('writes bags that validate against the published JSON Schemas, byte for byte as Python', () => {
    const app = ingressV2.requirer.app.encode({
      model: 'model_name',
      name: 'app_name',
      port: 4242,
    });
    const unit = ingressV2.requirer.unit.encode({ host: 'hostname' });
    expect(app).toEqual(examples.valid.requirerApp[0]);
    expect(unit).toEqual(examples.valid.requirerUnit[0]);
    expect(validatePublished(published.requirer, { app, unit })).toEqual([]);
    const provider = ingressV2.provider.app.encode({
      ingress: { url: 'http://foo.bar:80/model_name-app_name/0' },
    });
    expect(provider).toEqual(examples.valid.providerApp[0]);
    expect(validatePublished(published.provider, { app: provider })).toEqual([]);
  });

  it('the validator used above does reject bad bags', () => {
    expect(
      validatePublished(published.requirer, {
        app: { model: '"m"', name: '"n"', port: '"x"' },
        unit: {},
      }).sort(),
    ).toEqual(['/app/port: must be integer', "/unit: must have required property 'host'"]);
    expect(
      validatePublished(published.provider, { app: { ingress: '{"url": "not a url"}' } }),
    ).toEqual(['/app/ingress/url: must match format "uri"']);
  });

  it('exports JSON Schemas with the same fields, types and required lists as published', () => {
    const ours = ingressV2.jsonSchemas();
    for (const side of ['provider', 'requirer'] as const) {
      for (const bag of ['app', 'unit'] as const) {
        const pub = published[side].properties as Record<
          string,
          { properties?: object; required?: string[]; anyOf?: unknown }
        >;
        const mine = (
          ours[side].properties as Record<
            string,
            {
              properties: Record<string, { contentSchema?: { type?: unknown } }>;
              required?: string[];
            }
          >
        )[bag];
        const theirs = pub[bag];
        const theirFields = theirs?.properties ?? {};
        expect(Object.keys(mine?.properties ?? {}).sort()).toEqual(Object.keys(theirFields).sort());
        expect([...(mine?.required ?? [])].sort()).toEqual([...(theirs?.required ?? [])].sort());
        for (const [name, prop] of Object.entries(
          theirFields as Record<string, { contentSchema?: { type?: unknown } }>,
        )) {
          expect(mine?.properties[name]?.contentSchema?.type).toBe(prop.contentSchema?.type);
        }
      }
      expect([...(ours[side].required as string[])].sort()).toEqual(
        [...(published[side].required as string[])].sort(),
      );
    }
  });
});
