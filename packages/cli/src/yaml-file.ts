import type { Node } from 'yaml';
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { CharmMetadataError } from './errors.js';

/**
 * Parses YAML text from `file`, rejecting syntax errors and duplicate keys with one line that
 * names the file, the field (dotted path) and the line.
 *
 * @internal
 * @throws {CharmMetadataError} when the text is not valid YAML or repeats a key.
 */
export function parseYamlFile(text: string, file: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: false, prettyErrors: true });
  const first = doc.errors[0];
  if (first !== undefined) {
    const line = first.linePos?.[0].line;
    const message = (first.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    throw new CharmMetadataError(
      `${file}: not valid YAML${line === undefined ? '' : ` (line ${line})`}: ${message}`,
      { file },
    );
  }
  const duplicate = findDuplicateKey(doc.contents, [], text);
  if (duplicate !== undefined) {
    throw new CharmMetadataError(
      `${file}: ${duplicate.path}: duplicate name${duplicate.line === undefined ? '' : ` (line ${duplicate.line})`}`,
      { file, field: duplicate.path },
    );
  }
  return doc.toJS();
}

interface Duplicate {
  readonly path: string;
  readonly line: number | undefined;
}

function findDuplicateKey(
  node: Node | null | undefined | unknown,
  path: string[],
  text: string,
): Duplicate | undefined {
  if (isMap(node)) {
    const seen = new Set<string>();
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      if (seen.has(key)) {
        const offset = isScalar(pair.key) ? pair.key.range?.[0] : undefined;
        return {
          path: [...path, key].join('.'),
          line: offset === undefined ? undefined : lineOf(text, offset),
        };
      }
      seen.add(key);
      const inner = findDuplicateKey(pair.value, [...path, key], text);
      if (inner !== undefined) return inner;
    }
  } else if (isSeq(node)) {
    for (const [i, item] of node.items.entries()) {
      const inner = findDuplicateKey(item, [...path, String(i)], text);
      if (inner !== undefined) return inner;
    }
  }
  return undefined;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
