// Metrics, costs, search and plugin configuration at the server: --plugins builds the plugins (unknown names exit 2), getStats prices the request counts with the table and shows metrics, the search tool exists only with the full-text plugin, tool calls carry the client as audit actor, and GET /metrics serves Prometheus text behind the bearer token.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditPlugin, Database, FullTextPlugin, MemoryStore, MetricsPlugin } from '../../engine/index.js';
import {
  buildPlugins,
  createLogger,
  createServer,
  helpText,
  loadConfig,
  parseFieldSpec,
  prometheusText,
} from '../../server/index.js';
import { estimateCosts, S3_PRICE_TABLE } from '../../engine/index.js';
import { startHttp, type RunningHttp } from '../../transports/index.js';
import { connect, structured, testConfig, type Connected } from './support/connect.js';
import { TEST_PASSPHRASE } from './support/databases.js';

const ARTICLES = { name: 'articles', attributes: { title: 'string', body: 'string', key: 'secret|optional' } };

describe('plugin configuration', () => {
  const run = (argv: string[], env: Record<string, string> = {}) => {
    const loaded = loadConfig(argv, env);
    if (loaded.action !== 'run') throw new Error('expected run');
    return loaded.config;
  };

  it('enables plugins from flags or S3DB_PLUGINS and builds them in pipeline order', () => {
    const config = run(['--plugins=fulltext,cache,audit,metrics', '--fulltext=articles:title+body;notes:text']);
    expect(config).toMatchObject({ plugins: ['fulltext', 'cache', 'audit', 'metrics'], cacheDriver: 'memory' });
    expect(buildPlugins(config).map((p) => p.name)).toEqual([
      'MetricsPlugin',
      'CachePlugin',
      'AuditPlugin',
      'FullTextPlugin',
    ]);
    expect(run([], { S3DB_PLUGINS: 'cache', S3DB_CACHE_TTL_MS: '500', S3DB_CACHE_DRIVER: 's3' })).toMatchObject({
      plugins: ['cache'],
      cacheTtlMs: 500,
      cacheDriver: 's3',
    });
    expect(parseFieldSpec('articles:title+body; notes:text,tags.name')).toEqual({
      articles: ['title', 'body'],
      notes: ['text', 'tags.name'],
    });
  });

  it('rejects unknown plugins, a fulltext plugin without fields and fields without the plugin, and lists them in --help', () => {
    expect(() => run(['--plugins=cache,bogus'])).toThrow(/--plugins: unknown plugin "bogus" \(known: cache, audit/);
    expect(() => run(['--plugins=fulltext'])).toThrow(/--fulltext: the fulltext plugin needs/);
    expect(() => run(['--fulltext=articles:title'])).toThrow(/not in --plugins/);
    expect(() => run(['--plugins=fulltext', '--fulltext=articles'])).toThrow(/is not resource:field/);
    expect(() => run(['--plugins=cache', '--cache-driver=filesystem'])).toThrow(/needs a directory/);
    expect(helpText()).toMatch(/--plugins=a,b\n\s+Plugins to enable, comma-separated: cache, audit, metrics, fulltext/);
    expect(helpText()).toContain('--fulltext=VALUE');
  });

  it('exits with code 2 on an unknown plugin name', () => {
    const root = resolve(import.meta.dirname, '../..');
    let status: number | null = null;
    let stderr = '';
    try {
      execFileSync(process.execPath, ['--import', 'tsx', 'server/main.ts', '--plugins=nope'], {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
        stdio: 'pipe',
      });
    } catch (error) {
      status = (error as { status: number }).status;
      stderr = String((error as { stderr: Buffer }).stderr);
    }
    expect(status).toBe(2);
    expect(stderr).toMatch(/unknown plugin "nope"/);
  });
});

describe('costs', () => {
  it('prices request counts by request type with the documented table', () => {
    const costs = estimateCosts(
      {
        byOperation: {
          PutObject: 1200,
          DeleteObjects: 100,
          ListObjectsV2: 700,
          GetObject: 5000,
          HeadObject: 5000,
          DeleteObject: 999,
        },
        total: 13_000,
      },
      2 * 1024 ** 3,
    );
    // (1200+100+700)/1000 * 0.005 + (5000+5000)/1000 * 0.0004 + 0 = 0.01 + 0.004
    expect(costs.requestsUSD).toBe(0.014);
    expect(costs.byRequestType.find((l) => l.type === 'DELETE')).toEqual({
      type: 'DELETE',
      requests: 999,
      pricePer1000USD: 0,
      usd: 0,
    });
    expect(costs.byRequestType.find((l) => l.type === 'GET')).toMatchObject({ requests: 5000, usd: 0.002 });
    expect(costs.storageUSDPerMonth).toBe(0.046);
    expect(S3_PRICE_TABLE).toMatchObject({ storagePerGBMonthUSD: 0.023, transferOutPerGBUSD: 0.09 });
  });
});

describe('plugins through the server (memory store)', () => {
  let mcp: Connected | undefined;
  let http: RunningHttp | undefined;
  afterEach(async () => {
    await mcp?.close();
    await http?.close();
    mcp = undefined;
    http = undefined;
  });

  it('getStats prices exactly the requests it reports and shows metrics and plugins', async () => {
    const store = new MemoryStore();
    const db = new Database({ store, plugins: [new MetricsPlugin()] });
    await db.connect();
    mcp = await connect(db);
    await mcp.call('createResource', { name: 'notes', attributes: { text: 'string' } });
    await mcp.call('insert', { resource: 'notes', data: { id: 'n1', text: 'hello' } });
    await mcp.call('insert', { resource: 'notes', data: { id: 'n2', text: 'world' } });
    await mcp.call('get', { resource: 'notes', id: 'n1' });
    await mcp.call('get', { resource: 'notes', id: 'missing' });
    const stats = structured<{
      requests: { byOperation: Record<string, number> };
      estimatedCostUSD: number;
      costs: { byRequestType: { type: string; requests: number }[]; storedBytes: number; storageUSDPerMonth: number };
      plugins: { name: string }[];
      metrics: { series: { operation: string; resource: string; count: number; errors: number; p50Ms: number }[] };
    }>(await mcp.call('getStats'));
    const ops = stats.requests.byOperation;
    const expected =
      ((ops.PutObject! + ops.DeleteObjects! + ops.ListObjectsV2!) * 0.005 +
        (ops.GetObject! + ops.HeadObject!) * 0.0004) /
      1000;
    expect(stats.estimatedCostUSD).toBeCloseTo(expected, 9);
    expect(stats.estimatedCostUSD).toBeGreaterThan(0);
    expect(stats.costs.byRequestType.find((l) => l.type === 'PUT')?.requests).toBe(ops.PutObject);
    expect(stats.costs.storedBytes).toBeGreaterThan(0);
    expect(stats.plugins.map((p) => p.name)).toEqual(['MetricsPlugin']);
    const series = (op: string) => stats.metrics.series.find((s) => s.operation === op && s.resource === 'notes');
    expect(series('insert')).toMatchObject({ count: 2, errors: 0 });
    expect(series('get')).toMatchObject({ count: 2, errors: 0 });
    expect(series('get')!.p50Ms).toBeGreaterThanOrEqual(0);
  });

  it('registers search only with the full-text plugin, and it ranks, masks secrets and follows writes', async () => {
    const plain = new Database({ store: new MemoryStore(), passphrase: TEST_PASSPHRASE });
    await plain.connect();
    mcp = await connect(plain);
    expect((await mcp.client.listTools()).tools.map((t) => t.name)).not.toContain('search');
    await mcp.close();

    const db = new Database({
      store: new MemoryStore(),
      passphrase: TEST_PASSPHRASE,
      plugins: [new FullTextPlugin({ resources: { articles: ['title', 'body'] } })],
    });
    await db.connect();
    mcp = await connect(db);
    const tools = (await mcp.client.listTools()).tools;
    expect(tools.find((t) => t.name === 'search')?.annotations).toMatchObject({ readOnlyHint: true });
    await mcp.call('createResource', ARTICLES);
    await mcp.call('insertMany', {
      resource: 'articles',
      records: [
        { id: 'a', title: 'Crème brûlée', body: 'A French dessert with crème and sugar.', key: 'k1' },
        { id: 'b', title: 'Sugar', body: 'Sugar sugar sugar.' },
      ],
    });
    const found = structured<{ terms: string[]; hits: { id: string; record: { key?: string } }[] }>(
      await mcp.call('search', { resource: 'articles', query: 'CREME', limit: 5 }),
    );
    expect(found.terms).toEqual(['creme']);
    expect(found.hits.map((h) => h.id)).toEqual(['a']);
    expect(found.hits[0]!.record.key).toBe('[encrypted]');
    const sugar = structured<{ hits: { id: string }[] }>(
      await mcp.call('search', { resource: 'articles', query: 'sugar' }),
    );
    expect(sugar.hits.map((h) => h.id)).toEqual(['b', 'a']);
    await mcp.call('delete', { resource: 'articles', id: 'b', confirm: true });
    const after = structured<{ hits: { id: string }[] }>(
      await mcp.call('search', { resource: 'articles', query: 'sugar' }),
    );
    expect(after.hits.map((h) => h.id)).toEqual(['a']);
    const described = structured<{ plugins: string[] }>(await mcp.call('describeResource', { resource: 'articles' }));
    expect(described.plugins).toEqual(['FullTextPlugin']);
    const notIndexed = await mcp.call('search', { resource: 'other', query: 'x' });
    expect(notIndexed.isError).toBe(true);
    const heal = structured<{ rebuiltIndexes: { resource: string; documents: number }[] }>(
      await mcp.call('heal', { dryRun: false, confirm: true }),
    );
    expect(heal.rebuiltIndexes).toEqual([{ resource: 'articles', documents: 1, postings: expect.any(Number) }]);
  });

  it('records the MCP client as the audit actor', async () => {
    const audit = new AuditPlugin();
    const db = new Database({ store: new MemoryStore(), plugins: [audit] });
    await db.connect();
    mcp = await connect(db);
    await mcp.call('createResource', { name: 'notes', attributes: { text: 'string' } });
    await mcp.call('insert', { resource: 'notes', data: { id: 'n1', text: 'hi' } });
    const trail = await audit.trail('notes');
    expect(trail.records.map((r) => r.actor)).toEqual(['test']); // connect() names its client "test"
  });

  it('serves GET /metrics as Prometheus text, 401 without the bearer token', async () => {
    const token = 'metrics-token-0123456789abcdef';
    const config = testConfig({ port: 0, authToken: token });
    const logger = createLogger(config);
    const metrics = new MetricsPlugin();
    const db = new Database({ store: new MemoryStore(), plugins: [metrics] });
    await db.connect();
    await db.createResource({ name: 'notes', attributes: { text: 'string' } });
    await db.resource('notes').insert({ id: 'n1', text: 'hi' });
    await db.resource('notes').get('n1');
    http = await startHttp(
      { ...config, metrics: () => prometheusText(db) },
      ({ elicitation }) => createServer({ db, config, logger, elicitation }),
      logger,
    );
    expect((await fetch(`${http.url}/metrics`)).status).toBe(401);
    expect(
      (await fetch(`${http.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-xxxxxxxx' } })).status,
    ).toBe(401);
    const res = await fetch(`${http.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const sample =
      /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? -?(\d+(\.\d+)?([eE][-+]?\d+)?|NaN|\+Inf|-Inf)$/;
    for (const line of text.trimEnd().split('\n')) {
      if (line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
      expect(line).toMatch(sample);
    }
    expect(text).toContain('s3db_operations_total{operation="insert",resource="notes"} 1');
    expect(text).toContain('s3db_operations_total{operation="get",resource="notes"} 1');
    expect(text).toMatch(/s3db_s3_requests_total\{operation="PutObject"\} [1-9]/);
    expect(text).toContain('s3db_plugin_enabled{plugin="MetricsPlugin"} 1');
  });
});
