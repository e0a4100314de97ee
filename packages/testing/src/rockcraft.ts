import { readFileSync } from 'node:fs';
import { type Layer, parseLayer } from '@opsjs/pebble';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { StateValidationError } from './errors.js';

/**
 * A Pebble layer from a `rockcraft.yaml` (its `summary`, `description`, `services` and
 * `checks`), to seed a `Container`'s layers without repeating the rock's services in tests
 * (Scenario's `layer_from_rockcraft`).
 * @throws {StateValidationError} when the file is missing or not a rockcraft.yaml map
 */
export function layerFromRockcraft(path: string): Layer {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new StateValidationError(`rockcraft.yaml file not found at ${path}`, { cause: error });
  }
  const doc: unknown = parseYaml(text);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new StateValidationError(`${path}: expected a map at the top level`);
  }
  const summary: unknown = Reflect.get(doc, 'summary');
  const description: unknown = Reflect.get(doc, 'description');
  // Re-serialised and parsed by the Pebble package, which validates every field.
  return parseLayer(
    toYaml({
      summary: typeof summary === 'string' ? summary : '',
      description: `${typeof description === 'string' ? description : '(no description)'} (built from the rockcraft.yaml at ${path})`,
      services: Reflect.get(doc, 'services') ?? {},
      checks: Reflect.get(doc, 'checks') ?? {},
    }),
    path,
  );
}
