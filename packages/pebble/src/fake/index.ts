export type { ExecMatcher, FakeExecContext, FakeExecHandler } from './exec-types.js';
export {
  type FakeCheckInfo,
  FakePebbleServer,
  type FakePebbleServerOptions,
  type FakeServiceInfo,
  type InterceptHandler,
  type ServiceStartupBehaviour,
} from './fake-pebble-server.js';
export type { FileRecord } from './files.js';
export type { FakeNotice } from './notices.js';
export type { FakeGroup, FakeUser } from './users.js';
