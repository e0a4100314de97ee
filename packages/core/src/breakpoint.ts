const WELCOME = `Starting the Node inspector to debug the charm.
Attach a debugger (e.g. \`node inspect <url>\`, or Chrome's chrome://inspect) to continue;
execution stops at each breakpoint that JUJU_DEBUG_AT selects.
`;

let welcomed = false;

/**
 * The default action of a breakpoint selected by `JUJU_DEBUG_AT` (ops starts pdb): open the
 * Node inspector on 127.0.0.1 (a free port; the URL is printed to stderr, which
 * `juju debug-code` shows), wait for a debugger to attach, then stop at a `debugger`
 * statement. Without `JUJU_DEBUG_AT` this never runs.
 *
 * @param name - the breakpoint name, or `undefined` for an unnamed one, or `hook` before a
 *   Juju event handler
 */
export function pauseInInspector(name: string | undefined): void {
  // Loaded only here: most dispatches never stop, and start-up time matters.
  const inspector = process.getBuiltinModule('node:inspector');
  if (inspector.url() === undefined) {
    inspector.open(0, '127.0.0.1', false);
  }
  if (!welcomed) {
    welcomed = true;
    process.stderr.write(WELCOME);
  }
  process.stderr.write(
    `Breakpoint ${name ?? '(unnamed)'}: waiting for a debugger at ${inspector.url() ?? '?'}\n`,
  );
  inspector.waitForDebugger();
  // biome-ignore lint/suspicious/noDebugger: this is the breakpoint the charm author asked for
  debugger;
}
