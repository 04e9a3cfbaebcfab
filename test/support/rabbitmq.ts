// A private RabbitMQ broker for the queue tests: Debian's rabbitmq-server (installed with apt-get when missing and
// run as root, as in CI), started by hand on free loopback ports with its own Erlang port mapper, data and logs in
// a temp folder, so two suites can run at once. stop() halts the node and its port mapper.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port.js';

const SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';
const CTL = '/usr/lib/rabbitmq/bin/rabbitmqctl';

export interface TestBroker {
  url: string;
  /** Halts the broker (its durable queues and persistent messages stay in its folder). */
  halt(): Promise<void>;
  /** Starts it again on the same ports and folder. */
  restart(): Promise<void>;
  /** Halts it and removes its folder. */
  stop(): Promise<void>;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** Installs rabbitmq-server from Debian's packages when it is missing (needs root, as CI has). */
function ensureInstalled(): void {
  if (existsSync(SERVER)) return;
  const help =
    'The queue tests need RabbitMQ: run `apt-get install -y --no-install-recommends rabbitmq-server` as root ' +
    '(or let the tests do it by running them as root).';
  if (process.getuid?.() !== 0) throw new Error(`[queue tests] rabbitmq-server is not installed. ${help}`);
  process.stderr.write('[queue tests] installing rabbitmq-server from Debian packages (once per machine)…\n');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update'], { env, stdio: 'ignore' });
  const install = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'rabbitmq-server'], {
    env,
    encoding: 'utf8',
  });
  if (install.status !== 0 || !existsSync(SERVER)) {
    throw new Error(`[queue tests] could not install rabbitmq-server:\n${install.stderr}\n${help}`);
  }
}

export async function startBroker(): Promise<TestBroker> {
  ensureInstalled();
  const dir = mkdtempSync(path.join(os.tmpdir(), 's3db-rabbitmq-'));
  const [amqpPort, distPort, epmdPort] = [await freePort(), await freePort(), await freePort()];
  const node = `s3db${amqpPort}@localhost`;
  writeFileSync(path.join(dir, 'enabled_plugins'), '[].');
  const env = {
    ...process.env,
    HOME: dir,
    RABBITMQ_NODENAME: node,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(amqpPort),
    RABBITMQ_DIST_PORT: String(distPort),
    ERL_EPMD_PORT: String(epmdPort),
    RABBITMQ_MNESIA_BASE: path.join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: path.join(dir, 'log'),
    RABBITMQ_ENABLED_PLUGINS_FILE: path.join(dir, 'enabled_plugins'),
    RABBITMQ_CONFIG_FILE: path.join(dir, 'rabbitmq'),
  };
  const start = async () => {
    const child = spawn(SERVER, [], { env, stdio: 'ignore', detached: true });
    child.unref();
    const deadline = Date.now() + 90_000;
    while (!(await accepts(amqpPort))) {
      if (Date.now() > deadline) throw new Error(`[queue tests] RabbitMQ did not start; see ${env.RABBITMQ_LOG_BASE}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const halt = async () => {
    spawnSync(CTL, ['-n', node, 'stop'], { env, stdio: 'ignore', timeout: 30_000 });
    const deadline = Date.now() + 30_000;
    while ((await accepts(amqpPort)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  };
  await start();
  return {
    url: `amqp://guest:guest@127.0.0.1:${amqpPort}`,
    halt,
    restart: start,
    stop: async () => {
      await halt();
      spawnSync('epmd', ['-port', String(epmdPort), '-kill'], { env, stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
