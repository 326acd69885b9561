import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openStore } from '../src/index.js';
import { json, run, tempDir, type RunResult } from './helpers.js';
import { db, homeEnv, http, serve, storeOf, type ServeProcess } from './server-helpers.js';

/**
 * A shared marketplace between homes on one machine: home A serves its store on TCP (127.0.0.1,
 * a free port), B and C are other users with their own HOME and PYGUBUAI_HOME, reaching it only
 * over HTTP with their account tokens. Every process is a built bin.
 */
const UI = `<?xml version='1.0' encoding='utf-8'?>\n<interface version="1.2">\n  <object class="tk.Frame" id="login">\n    <child>\n      <object class="ttk.Button" id="ok" />\n    </child>\n  </object>\n</interface>\n`;
const mode = (path: string) => statSync(path).mode & 0o777;

const tpl = (home: string, args: readonly string[], options: { env?: Record<string, string>; input?: string; cwd?: string } = {}): Promise<RunResult> =>
  run('pygubu-template', args, { env: { ...homeEnv(home), ...options.env }, ...(options.input !== undefined ? { input: options.input } : {}), ...(options.cwd ? { cwd: options.cwd } : {}) });

const ok = (r: RunResult, what: string): RunResult => {
  assert.is(r.code, 0, `${what}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
};
const fails = (r: RunResult, code: string, what: string): void => {
  assert.is(r.code, code === 'USAGE' ? 2 : 1, `${what}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr, new RegExp(`^error: .*\\(${code}\\)$`, 'm'), `${what}: ${r.stderr}`);
};

async function homes(names: readonly string[]): Promise<{ dirs: Record<string, string>; cleanup: () => Promise<void> }> {
  const { dir, cleanup } = await tempDir('pygubuai-market-');
  const dirs: Record<string, string> = {};
  for (const n of names) {
    dirs[n] = join(dir, n);
    await mkdir(join(dirs[n]!, '.pygubuai'), { recursive: true });
  }
  return { dirs, cleanup };
}

async function templateDir(home: string, readme: string): Promise<string> {
  const app = join(home, 'login-app');
  await mkdir(app, { recursive: true });
  await writeFile(join(app, 'login.ui'), UI);
  await writeFile(join(app, 'README.md'), readme);
  await writeFile(join(app, 'login.py'), 'import pygubu\n\nclass LoginApp:\n    pass\n');
  return app;
}

/** A GET from another loopback address (Linux routes all of 127/8 to lo): another client address for the server. */
function getFrom(localAddress: string, port: number, path: string, headers: Record<string, string>): Promise<{ status: number; code?: string; message?: string }> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, path, localAddress, headers }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        const e = (() => { try { return (JSON.parse(text) as { error?: { code: string; message: string } }).error; } catch { return undefined; } })();
        done({ status: res.statusCode ?? 0, ...(e ? { code: e.code, message: e.message } : {}) });
      });
    });
    req.on('error', fail);
    req.end();
  });
}

const head = async (port: number): Promise<number> => (await http(port, 'GET', '/v1/handshake')).json.head as number;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const portOf = (s: ServeProcess) => s.descriptor.port!;

/** A proxy in front of the server that flips one byte of every template file it passes on. */
function tamperingProxy(target: number): Promise<{ server: Server; port: number; tampered: () => number }> {
  let count = 0;
  const server = createServer((req, res) => {
    const up = request({ host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: req.headers }, (r) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => {
        let body = Buffer.concat(chunks);
        if (/\/files(\?|$)/.test(req.url ?? '') && body.includes('ttk.Button')) {
          body = Buffer.from(body.toString('utf8').replace('ttk.Button', 'ttk.Buttom'));
          count++;
        }
        const headers = { ...r.headers, 'content-length': String(body.length) };
        res.writeHead(r.statusCode ?? 502, headers);
        res.end(body);
      });
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done({ server, port: (server.address() as AddressInfo).port, tampered: () => count })));
}

test('two other homes publish, find, install and rate through home A\'s server; A\'s log refuses every unauthorised write; tokens rotate; nothing secret leaks', async () => {
  const { dirs, cleanup } = await homes(['a', 'b', 'c']);
  const { a, b, c } = dirs as { a: string; b: string; c: string };
  let server: ServeProcess | undefined;
  let proxy: Server | undefined;
  try {
    // A: accounts for bob (home B) and carol (home C), and an admin; each token is printed once
    const bob = json(ok(await db(a, ['user', 'add', 'bob', '--json']), 'user add bob'));
    assert.equal(Object.keys(bob).sort(), ['added', 'admin', 'name', 'rotated', 'token']);
    assert.match(bob.token, /^pgm_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    assert.is(bob.admin, false);
    const carol = json(ok(await db(a, ['user', 'add', 'carol', '--json']), 'user add carol'));
    ok(await db(a, ['user', 'add', 'root', '--admin']), 'user add root');
    const rootToken = json(ok(await db(a, ['user', 'token', 'root', '--json']), 'user token root')).token as string;
    const human = ok(await db(a, ['user', 'add', 'dave']), 'user add dave');
    const daveToken = human.stdout.trim().split('\n').pop()!;
    assert.match(daveToken, /^pgm_/);
    fails(await db(a, ['user', 'add', 'bob']), 'ACCOUNT_EXISTS', 'user add twice');
    fails(await db(a, ['user', 'add', '../x']), 'ACCOUNT_NAME_INVALID', 'bad name');
    fails(await db(a, ['user', 'token', 'nobody']), 'ACCOUNT_NOT_FOUND', 'token of nobody');
    const list = json(ok(await db(a, ['user', 'list', '--json']), 'user list'));
    assert.equal(list.map((u: { name: string }) => u.name), ['bob', 'carol', 'dave', 'root']);
    assert.ok(list.every((u: { credential: boolean }) => u.credential === true));
    assert.not.match(JSON.stringify(list), /pgm_/);
    assert.is(mode(`${storeOf(a)}.accounts`), 0o600);

    server = await serve(a, ['--port', '0']);
    const port = portOf(server);
    const url = `http://127.0.0.1:${port}`;

    // B logs in (the token read from stdin) and publishes; the account is the author
    const login = json(ok(await tpl(b, ['login', url, '--token', '-', '--json'], { input: `${bob.token}\n` }), 'login'));
    assert.is(login.account, 'bob');
    const creds = join(b, '.pygubuai', 'credentials.json');
    assert.is(mode(creds), 0o600);
    const app = await templateDir(b, '# Login\n\nA login form.\n');
    const published = json(ok(await tpl(b, ['publish', app, '--name', 'team-login', '--version', '1.0.0', '-d', 'a shared login form', '-t', 'forms', '--remote', url, '--json']), 'publish'));
    assert.is(published.published, true);
    assert.is(published.template.author, 'bob');
    fails(await tpl(b, ['publish', app, '--name', 'x', '--version', '1.0.0', '--author', 'mallory', '--remote', url]), 'USAGE', '--author on a remote');

    // nothing unauthorised is written: no token, a wrong token, another account, a foreign name, a route not theirs
    const before = await head(port);
    const v110 = ['publish', app, '--name', 'team-login', '--version', '1.1.0', '--remote', url];
    fails(await tpl(c, v110), 'UNAUTHORIZED', 'publish without a token');
    fails(await tpl(c, v110, { env: { PYGUBUAI_TOKEN: `pgm_${'0'.repeat(16)}_${'A'.repeat(43)}` } }), 'UNAUTHORIZED', 'a made-up token');
    fails(await tpl(c, v110, { env: { PYGUBUAI_TOKEN: `${carol.token.slice(0, -1)}${carol.token.endsWith('A') ? 'B' : 'A'}` } }), 'UNAUTHORIZED', 'carol\'s token, one character off');
    fails(await tpl(c, v110, { env: { PYGUBUAI_TOKEN: carol.token } }), 'FORBIDDEN', 'carol publishing bob\'s template');
    fails(await tpl(c, ['deprecate', 'team-login', '--remote', url], { env: { PYGUBUAI_TOKEN: carol.token } }), 'FORBIDDEN', 'carol deprecating bob\'s template');
    fails(await tpl(c, ['rate', 'team-login', '5', '--remote', url]), 'UNAUTHORIZED', 'rating without a token');
    fails(await tpl(c, ['rate', 'team-login', '5', '--user', 'bob', '--remote', url], { env: { PYGUBUAI_TOKEN: carol.token } }), 'USAGE', '--user on a remote');
    const asBob = await http(port, 'POST', '/v1/templates/team-login/ratings', { body: JSON.stringify({ user: 'bob', stars: 1 }), headers: bearer(carol.token) });
    assert.is(asBob.status, 403);
    assert.is(asBob.json.error.code, 'FORBIDDEN');
    const anonymous = await http(port, 'POST', '/v1/templates', { body: JSON.stringify({ name: 'spam', version: '1.0.0', author: 'x', files: [{ path: 'a.ui', content: UI }] }) });
    assert.is(anonymous.status, 401);
    assert.is(anonymous.json.error.code, 'UNAUTHORIZED');
    assert.is(anonymous.headers['www-authenticate'], 'Bearer');
    const projectsAsCarol = await http(port, 'GET', '/v1/projects', { headers: bearer(carol.token) });
    assert.is(projectsAsCarol.status, 403);
    assert.is(projectsAsCarol.json.error.code, 'FORBIDDEN');
    assert.is((await http(port, 'GET', '/v1/projects')).status, 401);
    assert.is((await http(port, 'GET', '/v1/log')).json.error.code, 'UNAUTHORIZED');
    const huge = await http(port, 'POST', '/v1/templates', {
      body: JSON.stringify({ name: 'huge', version: '1.0.0', files: [{ path: 'a.ui', content: UI }, { path: 'README.md', content: 'x'.repeat(1024 * 1024 + 1) }] }),
      headers: bearer(carol.token),
    });
    assert.is(huge.status, 413);
    assert.is(huge.json.error.code, 'TEMPLATE_TOO_LARGE');
    assert.is(await head(port), before, 'no event was appended by any refused request');

    // C (carol) finds it, reads it like a local user, installs it byte for byte, and rates it twice
    const cEnv = { env: { PYGUBUAI_TOKEN: carol.token } };
    const found = json(ok(await tpl(c, ['search', 'login', '--remote', url, '--json']), 'search'));
    assert.equal(found.map((t: { name: string }) => t.name), ['team-login']);
    const anonymousSearch = ok(await tpl(c, ['search', 'shared', '--remote', url]), 'search, anonymous');
    assert.match(anonymousSearch.stdout, /team-login\s+1\.0\.0\s+0\s+-\s+bob\s+forms\s+a shared login form/);
    const dest = join(c, 'ui');
    const installed = json(ok(await tpl(c, ['install', 'team-login@^1.0.0', '--dest', dest, '--remote', url, '--json'], cEnv), 'install'));
    assert.is(installed.version, '1.0.0');
    assert.is(installed.downloads, 1);
    for (const f of ['login.ui', 'login.py', 'README.md']) {
      assert.ok(readFileSync(join(dest, 'team-login', f)).equals(readFileSync(join(app, f))), `${f} is byte-identical`);
    }
    fails(await tpl(c, ['install', 'team-login', '--dest', dest, '--remote', url], cEnv), 'TEMPLATE_FILE_EXISTS', 'install over existing files');
    ok(await tpl(c, ['rate', 'team-login', '5', '-r', 'works', '--remote', url], cEnv), 'rate');
    const rerated = json(ok(await tpl(c, ['rate', 'team-login', '3', '-r', 'works, mostly', '--remote', url, '--json'], cEnv), 're-rate'));
    assert.is(rerated.rating.user, 'carol');
    assert.is(rerated.template.ratings, 1, 'one rating per account');

    // the same answers as A's own local commands (A's bin runs through its Unix socket)
    for (const args of [['info', 'team-login'], ['versions', 'team-login'], ['reviews', 'team-login'], ['list'], ['search', 'login', '--sort', 'rating']]) {
      const local = ok(await tpl(a, [...args, '--json']), `local ${args[0]}`);
      const remote = ok(await tpl(c, [...args, '--json', '--remote', url]), `remote ${args[0]}`);
      assert.is(remote.stdout, local.stdout, `${args.join(' ')}: same output`);
      const localText = ok(await tpl(a, args), `local ${args[0]} text`);
      const remoteText = ok(await tpl(c, [...args, '--remote', url]), `remote ${args[0]} text`);
      assert.is(remoteText.stdout, localText.stdout, `${args.join(' ')}: same text`);
    }
    const missingLocal = await tpl(a, ['info', 'nothing-here']);
    const missingRemote = await tpl(c, ['info', 'nothing-here', '--remote', url]);
    assert.is(missingRemote.code, missingLocal.code);
    assert.is(missingRemote.stderr, missingLocal.stderr);
    const reviews = json(ok(await tpl(a, ['reviews', 'team-login', '--json']), 'reviews on A'));
    assert.equal(reviews.reviews.map((r: { user: string; stars: number }) => [r.user, r.stars]), [['carol', 3]]);

    // a file changed in transit is refused before anything is written, and counts no download
    const p = await tamperingProxy(port);
    proxy = p.server;
    const viaProxy = `http://127.0.0.1:${p.port}`;
    const dest2 = join(c, 'ui2');
    const downloadsBefore = json(ok(await tpl(a, ['info', 'team-login', '--json']), 'info on A')).downloads;
    fails(await tpl(c, ['install', 'team-login', '--dest', dest2, '--remote', viaProxy], cEnv), 'TEMPLATE_DOWNLOAD_CORRUPT', 'tampered install');
    assert.ok(p.tampered() > 0, 'the proxy changed a response');
    assert.not.ok(existsSync(join(dest2, 'team-login')), 'no template directory was made');
    assert.equal(existsSync(dest2) ? await readdir(dest2) : [], []);
    assert.is(json(ok(await tpl(a, ['info', 'team-login', '--json']), 'info on A')).downloads, downloadsBefore);

    // the owner and an admin may publish new versions and deprecate; carol still may not
    ok(await tpl(b, ['publish', app, '--name', 'team-login', '--version', '1.1.0', '--remote', url]), 'bob publishes 1.1.0');
    ok(await tpl(c, ['publish', app, '--name', 'team-login', '--version', '1.2.0', '--remote', url], { env: { PYGUBUAI_TOKEN: rootToken } }), 'an admin publishes 1.2.0');
    ok(await tpl(b, ['deprecate', 'team-login@1.0.0', '--reason', 'use 1.1', '--remote', url]), 'bob deprecates 1.0.0');
    const versions = json(ok(await tpl(c, ['versions', 'team-login', '--remote', url, '--json']), 'versions'));
    assert.equal(versions.map((v: { version: string; author: string }) => [v.version, v.author]), [['1.2.0', 'root'], ['1.1.0', 'bob'], ['1.0.0', 'bob']]);
    const daveOwn = json(ok(await tpl(c, ['publish', app, '--name', 'dave-form', '--version', '0.1.0', '--remote', url, '--json'], { env: { PYGUBUAI_TOKEN: daveToken } }), 'dave publishes his own'));
    assert.is(daveOwn.template.author, 'dave');

    // a rotated token stops working at once; the new one works; a removed account's token stops too
    const rotated = json(ok(await db(a, ['user', 'token', 'bob', '--json']), 'rotate bob'));
    assert.is.not(rotated.token, bob.token);
    const beforeRotated = await head(port);
    fails(await tpl(b, ['publish', app, '--name', 'team-login', '--version', '1.3.0', '--remote', url]), 'UNAUTHORIZED', 'the old token after rotation');
    assert.is(await head(port), beforeRotated);
    ok(await tpl(b, ['login', url, '--token', rotated.token]), 'login with the new token');
    ok(await tpl(b, ['publish', app, '--name', 'team-login', '--version', '1.3.0', '--remote', url]), 'publish with the new token');
    ok(await db(a, ['user', 'remove', 'carol']), 'remove carol');
    const beforeRemoved = await head(port);
    fails(await tpl(c, ['rate', 'team-login', '1', '--remote', url], cEnv), 'UNAUTHORIZED', 'a removed account');
    assert.is(await head(port), beforeRemoved);

    // config marketplace_url makes --remote the default; --local goes back to the own store
    await writeFile(join(c, '.pygubuai', 'config.json'), JSON.stringify({ marketplace_url: url }));
    assert.match(ok(await tpl(c, ['search', 'dave']), 'search through marketplace_url').stdout, /dave-form/);
    fails(await tpl(c, ['search', 'dave', '--local']), 'STORE_NOT_FOUND', 'the local store of C');

    // A is consistent, and no token or hash is in its dump, its log, its server's stderr or C's output
    const verify = json(ok(await db(a, ['verify', '--json']), 'verify'));
    assert.is(verify.ok, true);
    const dumpFile = join(a, 'a.dump');
    ok(await db(a, ['dump', dumpFile]), 'dump');
    const dump = readFileSync(dumpFile, 'utf8');
    assert.match(dump, /"account\.added"/);
    assert.match(dump, /"account\.token_rotated"/);
    const logJson = ok(await db(a, ['log', '--json']), 'log').stdout;
    const secrets = JSON.parse(readFileSync(`${storeOf(a)}.accounts`, 'utf8')) as { keys: Record<string, { salt: string; hash: string }> };
    const hashes = Object.values(secrets.keys).flatMap((k) => [k.hash, k.salt]);
    assert.is(hashes.length, 6, "one salt and hash for each live account (bob, root, dave): rotated-away and removed ones are dropped");
    const tokens = [bob.token, carol.token, rootToken, daveToken, rotated.token];
    for (const secret of [...tokens, ...tokens.map((t) => t.slice(21)), ...hashes]) {
      assert.not.ok(dump.includes(secret), 'a token or hash is in the dump');
      assert.not.ok(logJson.includes(secret), 'a token or hash is in log --json');
      assert.not.ok(server.stderr().includes(secret), 'a token or hash is in the server\'s stderr');
    }
    assert.not.ok(readFileSync(`${storeOf(a)}.accounts`, 'utf8').includes(bob.token.slice(21)), 'the secrets file holds hashes, not tokens');
  } finally {
    proxy?.close();
    server?.child.kill('SIGTERM');
    await server?.exited;
    await cleanup();
  }
});

test('abuse limits: a flood gets RATE_LIMITED with Retry-After, a body over --body-limit is 413 BODY_TOO_LARGE; reads can be made private', async () => {
  const { dirs, cleanup } = await homes(['a', 'b']);
  const { a, b } = dirs as { a: string; b: string };
  let server: ServeProcess | undefined;
  try {
    const bob = json(ok(await db(a, ['user', 'add', 'bob', '--json']), 'user add'));
    const cy = json(ok(await db(a, ['user', 'add', 'cy', '--json']), 'user add'));
    fails(await db(a, ['serve', '--rate-limit', '5']), 'USAGE', '--rate-limit without --port');
    server = await serve(a, ['--port', '0', '--rate-limit', '12', '--rate-window', '600', '--body-limit', '4096', '--private-reads']);
    const port = portOf(server);
    const url = `http://127.0.0.1:${port}`;

    const anonymous = await http(port, 'GET', '/v1/templates');
    assert.is(anonymous.status, 401, 'reads need a token with --private-reads');
    assert.is(anonymous.json.error.code, 'UNAUTHORIZED');
    const env = { env: { PYGUBUAI_TOKEN: bob.token } };
    ok(await tpl(b, ['list', '--remote', url], env), 'list with a token');

    const app = await templateDir(b, `# Big\n\n${'lorem ipsum '.repeat(500)}\n`);
    fails(await tpl(b, ['publish', app, '--name', 'big', '--version', '1.0.0', '--remote', url], env), 'BODY_TOO_LARGE', 'a body over the limit');
    const direct = await http(port, 'POST', '/v1/templates', { body: JSON.stringify({ name: 'big', version: '1.0.0', files: [{ path: 'a.ui', content: 'x'.repeat(5000) }] }), headers: bearer(bob.token) });
    assert.is(direct.status, 413);
    assert.is(direct.json.error.code, 'BODY_TOO_LARGE');

    const answers = [];
    for (let i = 0; i < 15; i++) answers.push(await http(port, 'GET', '/v1/templates', { headers: bearer(bob.token) }));
    const limited = answers.filter((r) => r.status === 429);
    assert.ok(limited.length > 0, 'some requests were limited');
    for (const r of limited) {
      assert.is(r.json.error.code, 'RATE_LIMITED');
      assert.match(String(r.headers['retry-after']), /^[1-9]\d*$/);
    }
    fails(await tpl(b, ['search', '--remote', url], env), 'RATE_LIMITED', 'the CLI when limited');
    // per token as well as per address: from another address bob's token soon runs out, cy's does not
    const fromElsewhere = [];
    for (let i = 0; i < 8; i++) fromElsewhere.push(await getFrom('127.0.0.2', port, '/v1/templates', bearer(bob.token)));
    const byToken = fromElsewhere.filter((r) => r.status === 429);
    assert.ok(byToken.length > 0, `bob from 127.0.0.2: ${fromElsewhere.map((r) => r.status).join(' ')}`);
    assert.ok(byToken.every((r) => r.code === 'RATE_LIMITED' && /account bob/.test(r.message ?? '')), 'limited as a token');
    assert.is((await getFrom('127.0.0.2', port, '/v1/templates', bearer(cy.token))).status, 200, 'another token from that address is not limited');
    // the owner is not limited: not on the Unix socket, nor with the server's own token from a limited address
    assert.is((await http(server.descriptor.socket, 'GET', '/v1/templates')).status, 200);
    const ownerToken = ok(await db(a, ['server', 'token']), 'server token').stdout.trim();
    assert.is((await http(port, 'GET', '/v1/templates', { headers: bearer(ownerToken) })).status, 200);
    assert.is((await http(port, 'GET', '/v1/templates')).json.error.code, 'RATE_LIMITED', 'the address itself still is');
    const verify = json(ok(await db(a, ['verify', '--json']), 'verify'));
    assert.is(verify.ok, true);
  } finally {
    server?.child.kill('SIGTERM');
    await server?.exited;
    await cleanup();
  }
});

test('accounts are events: replayed by verify and rebuild, kept by a dump and load, without their credentials', async () => {
  const { dirs, cleanup } = await homes(['a', 'z']);
  const { a, z } = dirs as { a: string; z: string };
  try {
    ok(await db(a, ['user', 'add', 'erin', '--admin']), 'add');
    ok(await db(a, ['user', 'add', 'fay']), 'add');
    ok(await db(a, ['user', 'token', 'fay']), 'rotate');
    ok(await db(a, ['user', 'remove', 'erin']), 'remove');
    ok(await db(a, ['user', 'add', 'erin']), 'add again');
    ok(await db(a, ['rebuild']), 'rebuild');
    assert.is(json(ok(await db(a, ['verify', '--json']), 'verify')).ok, true);
    const list = json(ok(await db(a, ['user', 'list', '--json']), 'list'));
    assert.equal(list.map((u: { name: string; admin: boolean }) => [u.name, u.admin]), [['erin', false], ['fay', false]]);
    assert.ok(list[1].rotated !== null);
    // dumped and loaded elsewhere: the accounts are there, their credentials are not
    const file = join(a, 'accounts.dump');
    ok(await db(a, ['dump', file]), 'dump');
    ok(await db(z, ['load', file]), 'load');
    const elsewhere = json(ok(await db(z, ['user', 'list', '--json']), 'list elsewhere'));
    assert.equal(elsewhere.map((u: { name: string; credential: boolean }) => [u.name, u.credential]), [['erin', false], ['fay', false]]);
    assert.match(ok(await db(z, ['user', 'list']), 'list text').stdout, /missing/);
    ok(await db(z, ['user', 'token', 'fay']), 'a new token elsewhere');
    assert.equal(json(await db(z, ['user', 'list', '--json'])).map((u: { credential: boolean }) => u.credential), [false, true]);
    // an append that breaks an account rule is refused like every other way in, and changes nothing
    const store = await openStore({ location: storeOf(z) });
    try {
      const headBefore = store.log.head;
      const refused = async (event: object, code: string) => {
        const err = await store.append(event as never).then(() => undefined, (e: unknown) => e as { code?: string });
        assert.is(err?.code, code);
      };
      await refused({ stream: 'account-fay', type: 'account.added', data: { name: 'fay', admin: true, keyId: '0123456789abcdef' } }, 'ACCOUNT_EXISTS');
      await refused({ stream: 'account-gus', type: 'account.token_rotated', data: { name: 'gus', keyId: '0123456789abcdef' } }, 'ACCOUNT_NOT_FOUND');
      await refused({ stream: 'account-x', type: 'account.removed', data: { name: 'fay' } }, 'VALIDATION_FAILED');
      await refused({ stream: 'account-h', type: 'account.added', data: { name: 'h', admin: false, keyId: 'not-hex' } }, 'VALIDATION_FAILED');
      assert.is(store.log.head, headBefore);
    } finally {
      await store.close();
    }
  } finally {
    await cleanup();
  }
});

test.run();
