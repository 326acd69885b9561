import { spawn } from 'node:child_process';
import { sandboxEnv } from '../sandbox.js';
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { isStoreError, openStore } from '../../src/index.js';

/**
 * One contending writer: `node contention-child.js api|cli <store> <writes> <out file> <root>`.
 * Each write opens the store, appends one history entry and closes it — the way each pygubu-db
 * command holds the lock — and appends one JSON line to the out file:
 * `{token, ok, code?, waitMs}` (waitMs: for api, the time openStore took; for cli, the command's wall time).
 */
const [mode, location, writesText, out, root] = process.argv.slice(2);
const writes = Number(writesText);
const bin = join(root!, 'dist', 'src', 'bin', 'pygubu-db.js');

for (let i = 0; i < writes; i++) {
  const token = `${mode}-${process.pid}-${i}-${randomUUID().slice(0, 8)}`;
  const started = performance.now();
  if (mode === 'api') {
    let line: Record<string, unknown>;
    try {
      // The library reads no environment: the child passes the wait it was given, as the CLI does.
      const ms = Number(process.env.PYGUBUAI_LOCK_TIMEOUT_MS);
      const store = await openStore({ location: location!, createIfMissing: false, ...(ms > 0 ? { lockTimeoutMs: ms } : {}) });
      const waitMs = performance.now() - started;
      try {
        await store.history.record('base', { action: token, description: 'api', meta: { source: 'api' } });
      } finally {
        await store.close();
      }
      line = { token, ok: true, waitMs };
    } catch (err) {
      line = { token, ok: false, code: isStoreError(err) ? err.code : String(err), message: (err as Error).message, waitMs: performance.now() - started };
    }
    appendFileSync(out!, `${JSON.stringify(line)}\n`);
  } else {
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [bin, 'history', 'record', 'base', token, '-d', 'cli', '--store', location!, '--json'], {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: sandboxEnv({ ...process.env }),
      });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (c) => resolve({ code: c, stderr }));
    });
    const waitMs = performance.now() - started;
    const errorCode = /\(([A-Z_]+)\)\s*$/m.exec(stderr)?.[1];
    appendFileSync(out!, `${JSON.stringify(code === 0 ? { token, ok: true, waitMs } : { token, ok: false, code: errorCode ?? `exit ${code}`, message: stderr.trim(), waitMs })}\n`);
  }
}
