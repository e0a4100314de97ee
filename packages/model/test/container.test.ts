import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakePebbleServer } from '@opsjs/pebble/fake';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CharmMeta } from '../src/charm-meta.js';
import {
  InvalidArgumentError,
  ModelAccessError,
  ModelError,
  MultiPushPullError,
  PebbleUnavailableError,
  UnknownNameError,
} from '../src/errors.js';
import { Model } from '../src/model.js';
import { MemoryBackend } from './helpers/memory-backend.js';

const meta = CharmMeta.fromYaml('name: demo\ncontainers:\n  web: {}\n  db: {}\n');

let server: FakePebbleServer;
let backend: MemoryBackend;
let model: Model;
const tmpDirs: string[] = [];

function tmp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsjs-container-'));
  tmpDirs.push(dir);
  return dir;
}

beforeEach(async () => {
  server = await FakePebbleServer.start();
  backend = new MemoryBackend();
  model = new Model({
    meta,
    backend,
    unitName: 'demo/0',
    jujuVersion: '3.6.4',
    containerSocketPath: (name) =>
      name === 'web' ? server.socketPath : '/nonexistent/pebble.socket',
  });
});

afterEach(async () => {
  await model.close();
  await server.close();
  for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('Container', () => {
  it('maps metadata containers to socket paths and rejects unknown names', () => {
    expect([...model.unit.containers.keys()]).toEqual(['web', 'db']);
    expect(model.unit.getContainer('web').socketPath).toBe(server.socketPath);
    expect(model.unit.getContainer('web')).toBe(model.unit.getContainer('web'));
    expect(() => model.unit.getContainer('nope')).toThrow(UnknownNameError);
    expect(() => model.getUnit('demo/1').containers).toThrow(ModelAccessError);
    const plain = new Model({ meta, backend, unitName: 'demo/0' });
    expect(plain.unit.getContainer('web').socketPath).toBe('/charm/containers/web/pebble.socket');
  });

  it('canConnect probes Pebble and is false for a missing socket', async () => {
    expect(await model.unit.getContainer('web').canConnect()).toBe(true);
    expect(await model.unit.getContainer('db').canConnect()).toBe(false);
    const logs = backend.calls.filter((c) => c[0] === 'jujuLog');
    expect(logs).toHaveLength(1);
    expect(logs[0]?.[1]).toBe('DEBUG');
    expect(String(logs[0]?.[2])).toMatch(
      /^Pebble API is not ready; ConnectionError: .*socket not found at '\/nonexistent\/pebble\.socket'/,
    );
    // Closing drops the client; the next call reconnects.
    const first = await model.unit.getContainer('web').pebble();
    await model.close();
    const second = await model.unit.getContainer('web').pebble();
    expect(second).not.toBe(first);
    expect(await model.unit.getContainer('web').canConnect()).toBe(true);
  });

  it('manages layers and services, restart falling back on old Pebble', async () => {
    const web = model.unit.getContainer('web');
    await web.addLayer('base', {
      summary: 'base',
      services: { srv: { override: 'replace', command: 'sleep 100', startup: 'enabled' } },
    });
    expect(Object.keys((await web.getPlan()).services ?? {})).toEqual(['srv']);
    await web.replan();
    expect((await web.getService('srv')).current).toBe('active');
    await web.stop('srv');
    expect((await web.getServices()).get('srv')?.current).toBe('inactive');
    await web.start('srv');
    await web.restart('srv');
    expect(server.startCount('srv')).toBe(3);
    // A Pebble without the restart action answers 400.
    let refused = '';
    const undo = server.intercept('POST', '/v1/services', (req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        res.writeHead(400, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify({
            type: 'error',
            'status-code': 400,
            status: 'Bad Request',
            result: { message: `bad action in ${body}` },
          }),
        );
        refused = body;
        undo();
      });
    });
    await web.restart('srv');
    expect(JSON.parse(refused)).toMatchObject({ action: 'restart', services: ['srv'] });
    expect(server.startCount('srv')).toBe(4);
    expect((await web.getService('srv')).current).toBe('active');
    await expect(web.getService('nope')).rejects.toThrow(
      new ModelError("service 'nope' not found"),
    );
    await expect(web.start()).rejects.toThrow(InvalidArgumentError);
    await web.autostart();
  });

  it('reads and writes files, and copies trees both ways', async () => {
    const web = model.unit.getContainer('web');
    await web.push('/etc/app/conf.txt', 'hello', { makeDirs: true });
    expect(await web.pull('/etc/app/conf.txt')).toBe('hello');
    expect(await web.exists('/etc/app/conf.txt')).toBe(true);
    expect(await web.exists('/etc/nope')).toBe(false);
    expect(await web.isDir('/etc/app')).toBe(true);
    expect((await web.listFiles('/etc/app')).map((f) => f.name)).toEqual(['conf.txt']);
    await web.makeDir('/var/x/y', { makeParents: true });
    await web.removePath('/var/x', { recursive: true });
    expect(await web.exists('/var/x')).toBe(false);

    const local = tmp();
    fs.mkdirSync(path.join(local, 'site', 'sub'), { recursive: true });
    fs.writeFileSync(path.join(local, 'site', 'index.html'), '<h1>hi</h1>');
    fs.writeFileSync(path.join(local, 'site', 'sub', 'a.txt'), 'a');
    await web.pushPath(path.join(local, 'site'), '/srv');
    expect(await web.pull('/srv/site/sub/a.txt')).toBe('a');
    await web.pushPath(`${path.join(local, 'site')}/*`, '/www');
    expect(await web.pull('/www/index.html')).toBe('<h1>hi</h1>');

    const out = tmp();
    await web.pullPath('/srv/site', out);
    expect(fs.readFileSync(path.join(out, 'site', 'sub', 'a.txt'), 'utf8')).toBe('a');
    const err = await web
      .pullPath(['/srv/site/index.html', '/missing'], out)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MultiPushPullError);
    expect((err as MultiPushPullError).errors.map(([p]) => p)).toEqual(['/missing']);
    expect(fs.readFileSync(path.join(out, 'index.html'), 'utf8')).toBe('<h1>hi</h1>');
  });

  it('runs commands, refusing serviceContext on old Juju', async () => {
    server.handleExec('echo', ({ command, stdout }) => {
      stdout.write(`${command.slice(1).join(' ')}\n`);
      return 0;
    });
    const web = model.unit.getContainer('web');
    const proc = await web.exec(['echo', 'hi']);
    expect((await proc.waitOutput()).stdout).toBe('hi\n');
    const bytes = await web.exec(['echo', 'b'], { encoding: null });
    expect(Buffer.isBuffer((await bytes.waitOutput()).stdout)).toBe(true);
    const old = new Model({
      meta,
      backend,
      unitName: 'demo/0',
      jujuVersion: '3.2.0',
      containerSocketPath: () => server.socketPath,
    });
    await expect(
      old.unit.getContainer('web').exec(['echo'], { serviceContext: 'srv' }),
    ).rejects.toThrow('exec with serviceContext not supported on Juju version 3.2.0');
  });

  it('checks: get, start, stop (logging a security event); notices', async () => {
    const web = model.unit.getContainer('web');
    await web.addLayer('checks', {
      checks: { alive: { override: 'replace', level: 'alive', exec: { command: 'true' } } },
    });
    expect((await web.getCheck('alive')).name).toBe('alive');
    expect([...(await web.getChecks({ level: 'alive' })).keys()]).toEqual(['alive']);
    await expect(web.getCheck('nope')).rejects.toThrow(ModelError);
    expect(await web.stopChecks('alive')).toEqual(['alive']);
    expect(await web.startChecks('alive')).toEqual(['alive']);
    const log = backend.calls.find((c) => c[0] === 'jujuLog');
    expect(log?.[1]).toBe('TRACE');
    expect(JSON.parse(String(log?.[2]))).toMatchObject({
      level: 'WARN',
      event: expect.stringMatching(/^sys_monitor_disabled:\d*,alive$/),
      description: 'Stopped check alive',
    });
    const client = await web.pebble();
    const id = await client.notify('example.com/ready');
    expect((await web.getNotice(id)).key).toBe('example.com/ready');
    expect((await web.getNotices({ keys: ['example.com/ready'] })).length).toBe(1);
    await expect(web.getNotice('999')).rejects.toThrow("notice '999' not found");
  });

  it('loads @opsjs/pebble only when a container is used, with a clear error if missing', async () => {
    let loads = 0;
    const m = new Model({
      meta,
      backend,
      unitName: 'demo/0',
      pebbleLoader: () => {
        loads++;
        return Promise.reject(
          new PebbleUnavailableError('cannot reach a container: install @opsjs/pebble'),
        );
      },
    });
    const web = m.unit.getContainer('web');
    expect(loads).toBe(0);
    await expect(web.canConnect()).rejects.toThrow(PebbleUnavailableError);
    expect(loads).toBe(1);
  });
});
