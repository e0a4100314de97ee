// The charm's entry: `opsjs pack` bundles this file and Juju's `dispatch` runs it.
import { main } from '@opsjs/core';
import { ExampleCharm } from './example-charm.js';

await main(ExampleCharm);
