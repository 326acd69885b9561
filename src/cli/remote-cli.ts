import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { API_VERSION, pidAlive, readDescriptor } from '../server/descriptor.js';

/** Commands that are about the server itself, or must never be sent to it. */
const LOCAL_COMMANDS = new Set(['serve', 'server', 'login']);
/** The environment a command may read, passed to the server that runs it. */
const FORWARDED_ENV = /^(PYGUBUAI_.*|HOME|USER|LOGNAME|TZ|NO_COLOR|FORCE_COLOR|LANG|LC_ALL)$/;

/** `--store DIR` / `--store=DIR` as yargs reads it, else the default store. */
function storeOf(argv: readonly string[]): string {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a === '--store' && i + 1 < argv.length) return resolve(argv[i + 1]!);
    if (a.startsWith('--store=')) return resolve(a.slice('--store='.length));
  }
  return join(resolve(process.env.PYGUBUAI_HOME || join(homedir(), '.pygubuai')), 'store');
}

const firstCommand = (argv: readonly string[]): string | undefined => {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--store') {
      i++;
      continue;
    }
    if (!a.startsWith('-')) return a;
  }
  return undefined;
};

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Run this bin's command line through the store's server when one is up: the server runs the very
 * same command module on its open store and streams back stdout, stderr and the exit code.
 * Returns false (nothing done) when there is no live server, so the bin opens the store itself.
 */
export async function runThroughServer(bin: string): Promise<boolean> {
  const argv = process.argv.slice(2);
  if (argv.includes('--no-server') || argv.includes('--server=false')) return false;
  // An argument Node decoded with U+FFFD may hold invalid bytes: the direct path checks and refuses it.
  if (argv.some((a) => a.includes('\uFFFD'))) return false;
  const command = firstCommand(argv);
  if (command === undefined || LOCAL_COMMANDS.has(command)) return false;
  // A remote marketplace command does not need the local store: it talks to the remote itself.
  if (argv.some((a) => a === '--remote' || a.startsWith('--remote='))) return false;
  const location = storeOf(argv);
  const descriptor = readDescriptor(location);
  if (!descriptor || descriptor.api !== API_VERSION || !pidAlive(descriptor.pid)) return false;
  // `-` names stdin (load -): the command reads it in the server, so it travels with the request.
  const stdin = argv.includes('-') && command === 'load' ? (await readStdin()).toString('base64') : undefined;
  const env = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => FORWARDED_ENV.test(k) && v !== undefined)) as Record<string, string>;
  // node:http only now that a server is up: loading it costs a bin without one ~10% of its start.
  const { request } = await import('node:http');
  const body = JSON.stringify({ bin, argv, cwd: process.cwd(), env, ...(process.stdout.columns ? { columns: process.stdout.columns } : {}), ...(stdin !== undefined ? { stdin } : {}) });
  return new Promise<boolean>((done) => {
    let started = false;
    let exited = false;
    const req = request(
      { socketPath: descriptor.socket, path: '/v1/cli', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        started = true;
        if (res.statusCode !== 200) {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => {
            let code = 'SERVER_PROTOCOL';
            let message = `the server answered HTTP ${res.statusCode}`;
            try {
              const e = (JSON.parse(text) as { error?: { code: string; message: string } }).error;
              if (e) ({ code, message } = e);
            } catch {
              // not JSON: keep the status
            }
            process.stderr.write(`error: ${message} (${code})\n`);
            process.exitCode = 1;
            done(true);
          });
          return;
        }
        let buffered = '';
        const frame = (line: string) => {
          if (line === '') return;
          const f = JSON.parse(line) as { o?: string; e?: string; ob?: string; eb?: string; exit?: number };
          if (f.o !== undefined) process.stdout.write(f.o);
          if (f.ob !== undefined) process.stdout.write(Buffer.from(f.ob, 'base64'));
          if (f.e !== undefined) process.stderr.write(f.e);
          if (f.eb !== undefined) process.stderr.write(Buffer.from(f.eb, 'base64'));
          if (f.exit !== undefined) {
            exited = true;
            process.exitCode = f.exit;
          }
        };
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          buffered += d;
          let nl: number;
          while ((nl = buffered.indexOf('\n')) !== -1) {
            frame(buffered.slice(0, nl));
            buffered = buffered.slice(nl + 1);
          }
          // A slow reader of our stdout (a pipe) slows the server's command down, not our memory up.
          if (process.stdout.writableNeedDrain) {
            res.pause();
            process.stdout.once('drain', () => res.resume());
          }
        });
        const finish = () => {
          if (!exited) {
            process.stderr.write('error: the server went away before the command finished; it may or may not have been applied (SERVER_GONE)\n');
            process.exitCode = 1;
          }
          done(true);
        };
        res.on('end', finish);
        res.on('aborted', () => undefined);
        res.on('error', () => undefined);
        res.on('close', () => {
          if (!exited) finish();
        });
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (!started && ['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE'].includes(err.code ?? '')) return done(false); // no server after all
      if (started) return;
      process.stderr.write(`error: cannot talk to the server at ${descriptor.socket}: ${err.message} (SERVER_UNAVAILABLE)\n`);
      process.exitCode = 1;
      done(true);
    });
    // Ctrl-C (log --follow) ends the request; the server stops the command.
    process.once('SIGINT', () => {
      exited = true;
      req.destroy();
      process.exitCode = 130;
      done(true);
    });
    req.end(body);
  });
}
