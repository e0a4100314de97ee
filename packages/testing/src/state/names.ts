import { StateValidationError } from '../errors.js';

/**
 * Juju's naming rules for the metadata entities a state names (as Scenario enforces them, so
 * a test cannot pass with a name a real deployment refuses). Containers follow the Kubernetes
 * DNS-label rule, since Juju hands the name to Kubernetes verbatim.
 */
const RULES = {
  'relation endpoint': {
    pattern: /^[a-z][a-z0-9]*(?:[_-][a-z0-9]+)*$/,
    rule: 'lowercase letters and digits in parts joined by single hyphens or underscores, starting with a letter',
  },
  storage: {
    pattern: /^[a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*$/,
    rule: 'lowercase letters and digits in parts joined by single hyphens, starting with a letter, each part holding a letter',
  },
  action: {
    pattern: /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/,
    rule: 'lowercase letters, digits and hyphens, starting and ending with a letter or digit',
  },
  container: {
    pattern: /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/,
    rule: 'lowercase letters, digits and hyphens, starting and ending with a letter or digit, at most 63 characters',
  },
} as const;

/**
 * Checks `name` against Juju's rule for `kind`.
 * @throws {StateValidationError} naming the kind, the name and the rule
 * @internal
 */
export function checkJujuName(name: string, kind: keyof typeof RULES): void {
  const { pattern, rule } = RULES[kind];
  if (!pattern.test(name) || (kind === 'container' && name.length > 63)) {
    throw new StateValidationError(`invalid ${kind} name '${name}': Juju needs ${rule}`);
  }
}
