// The charm's entry: `opsjs pack` bundles this file and Juju's `dispatch` runs it.
import { main } from '@opsjs/core';
import { ExampleMachineCharm } from './example-machine-charm.js';

await main(ExampleMachineCharm);
