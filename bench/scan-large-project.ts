/**
 * One project with very many `.ui` files (100,000 in a full run; `--scan-files N` to change it):
 * `analytics scan` of all of them into a fresh store, then `verify` of that store. Both must grow
 * linearly with the file count; the figures are files/s for the scan and events/s for verify.
 * Runs once, at the largest size, in a store of its own.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { scanProjects } from '../src/domain/analytics.js';
import { openStore } from '../src/index.js';
import { medianOf } from './lib/measure.js';
import type { Scenario } from './lib/context.js';

const PER_DIR = 1000;

const fileCount = (quick: boolean): number => {
  const i = process.argv.indexOf('--scan-files');
  if (i >= 0) return Number(process.argv[i + 1]);
  return quick ? 2_000 : 100_000;
};

/** A small but real pygubu file: a frame with a few widgets, one callback, one binding. */
const uiFile = (n: number): string =>
  `<?xml version='1.0' encoding='utf-8'?>\n<interface version="1.3">\n<object class="ttk.Frame" id="frame${n}">\n` +
  `<child><object class="ttk.Label" id="label${n}"><property name="text">Form ${n}</property><layout manager="grid"/></object></child>\n` +
  `<child><object class="ttk.Entry" id="entry${n}"><bind sequence="&lt;Return&gt;" handler="on_return" add=""/><layout manager="grid"/></object></child>\n` +
  `<child><object class="${n % 2 ? 'ttk.Button' : 'tk.Button'}" id="button${n}"><property name="command" type="command">on_click_${n % 50}</property><layout manager="pack"/></object></child>\n` +
  '</object>\n</interface>\n';

export const scanLargeProject: Scenario = {
  name: 'scan one large project',
  sizes: (ctx) => ctx.largest,
  async run(ctx) {
    const files = fileCount(ctx.quick);
    const project = join(ctx.dir, 'large-project');
    for (let d = 0; d * PER_DIR < files; d++) {
      const dir = join(project, `forms${String(d).padStart(3, '0')}`);
      await mkdir(dir, { recursive: true });
      const writes: Promise<void>[] = [];
      for (let i = d * PER_DIR; i < Math.min(files, (d + 1) * PER_DIR); i++) writes.push(writeFile(join(dir, `form${i}.ui`), uiFile(i)));
      await Promise.all(writes);
    }
    const runs = ctx.quick ? 1 : 3;
    let round = 0;
    const verifyFigures: Array<{ ops: number; n: number; ms: number }> = [];
    const scan = await medianOf(runs, async () => {
      const location = join(ctx.dir, `large-project-store-${round++}`);
      const store = await openStore({ location, sync: false });
      try {
        await store.projects.register({ name: 'large', path: project });
        const report = await scanProjects(store, { projects: ['large'] });
        if (report.recorded !== files) throw new Error(`scan recorded ${report.recorded} of ${files} files (${report.problems.length} problems)`);
        const t0 = performance.now();
        const verify = await store.verify();
        const ms = performance.now() - t0;
        if (!verify.ok) throw new Error(`verify after the scan: ${JSON.stringify(verify.problems.slice(0, 3))}`);
        verifyFigures.push({ ops: (verify.events / ms) * 1000, n: verify.events, ms });
        return { ops: (files / report.ms) * 1000, n: files, ms: report.ms };
      } finally {
        await store.close();
        await rm(location, { recursive: true, force: true });
      }
    });
    ctx.record({ scenario: 'scan one large project', size: ctx.size, kind: 'throughput', unit: 'files/s', figures: { store: scan }, note: `${files} .ui files in one project, fresh store, non-durable` });
    const verify = [...verifyFigures].sort((a, b) => a.ops - b.ops)[Math.floor(verifyFigures.length / 2)]!;
    ctx.record({ scenario: 'verify after a large scan', size: ctx.size, kind: 'throughput', unit: 'events/s', figures: { store: verify }, note: `${files} analytics.ui_scanned events of one project` });
    await rm(project, { recursive: true, force: true });
  },
};
