import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

/** A JSON Schema object. */
export type Schema = { [key: string]: unknown };
const isObj = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

// ajv-formats is CommonJS; its default export is the plugin function.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

/** The provider and requirer JSON Schemas an interface publishes (charm-relation-interfaces). */
export interface PublishedSchemas {
  readonly provider: Schema;
  readonly requirer: Schema;
}

/**
 * Read the published JSON Schemas of an interface, as transcribed in a package's test fixtures
 * (`{ "provider": {...}, "requirer": {...} }`).
 */
export function loadPublished(file: URL): PublishedSchemas {
  const data: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!isObj(data) || !isObj(data.provider) || !isObj(data.requirer)) {
    throw new Error(`${file.pathname}: expected { provider: {...}, requirer: {...} }`);
  }
  return { provider: data.provider, requirer: data.requirer };
}

/** Whether a property schema says the value on the wire is something other than a string. */
function isEncoded(prop: Schema): boolean {
  if (prop.contentMediaType === 'application/json') return true;
  const t = prop.type;
  if (typeof t === 'string') return t !== 'string';
  return false;
}

/**
 * Validate databags (string → string) against a published side schema the way the
 * charm-relation-interfaces tester reads them: fields whose schema is JSON content (pydantic
 * `Json[...]`) or a non-string type are decoded from JSON text first, then everything is
 * checked with a JSON Schema validator. Returns the validator's errors (empty when valid).
 */
export function validatePublished(
  side: Schema,
  bags: { app?: Record<string, string>; unit?: Record<string, string> },
): string[] {
  const props = isObj(side.properties) ? side.properties : {};
  const decodedSchema: Schema = { ...side, properties: { ...props } };
  const decoded: Record<string, unknown> = {};
  const errors: string[] = [];
  for (const bagName of ['app', 'unit'] as const) {
    const bag = bags[bagName];
    const bagSchema = props[bagName];
    if (bag === undefined) continue;
    const objSchema = isObj(bagSchema)
      ? Array.isArray(bagSchema.anyOf)
        ? (bagSchema.anyOf.find((a) => isObj(a) && a.type === 'object') as Schema)
        : bagSchema
      : {};
    const fieldSchemas = isObj(objSchema.properties) ? objSchema.properties : {};
    const newFields: Schema = {};
    const value: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(bag)) value[k] = v;
    for (const [name, prop] of Object.entries(fieldSchemas)) {
      if (!isObj(prop)) continue;
      if (isEncoded(prop)) {
        newFields[name] = isObj(prop.contentSchema) ? prop.contentSchema : prop;
        if (name in bag) {
          try {
            value[name] = JSON.parse(bag[name] as string);
          } catch {
            errors.push(`/${bagName}/${name}: not JSON`);
          }
        }
      } else {
        newFields[name] = prop;
      }
    }
    (decodedSchema.properties as Schema)[bagName] = { ...objSchema, properties: newFields };
    decoded[bagName] = value;
  }
  const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));
  const validate = ajv.compile(decodedSchema);
  if (!validate(decoded)) {
    for (const e of validate.errors ?? []) errors.push(`${e.instancePath}: ${e.message ?? ''}`);
  }
  return errors;
}
