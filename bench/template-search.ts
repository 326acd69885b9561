/**
 * Template search: one word, sorted by downloads, 10 hits, over a marketplace of templates with
 * downloads and ratings (filled by bench/templates.ts's generator), in a store of its own — the same
 * for every size, so it runs once, at the largest size. SQLite: LIKE on name and description,
 * ORDER BY downloads; JSON: a marketplace index file read, filtered and sorted; raw: 10 adjacent rows.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sqliteDatabase } from './lib/sqlite-peer.js';
import { openStore } from '../src/index.js';
import { latency } from './lib/measure.js';
import { openRawLevel, rawPackr } from './lib/peers.js';
import { fill, rng } from './templates.js';
import type { Scenario } from './lib/context.js';

const WORDS = ['login', 'form', 'dialog', 'table', 'grid', 'settings', 'wizard', 'chart', 'editor', 'viewer', 'calendar', 'dashboard', 'report', 'invoice', 'inventory'];

interface Row {
  name: string;
  description: string;
  author: string;
  tags: string[];
  downloads: number;
}

export const templateSearch: Scenario = {
  name: 'template search',
  sizes: (ctx) => ctx.largest,
  async run(ctx) {
    const dir = join(ctx.dir, 'templates');
    mkdirSync(dir, { recursive: true });
    const count = ctx.quick ? 1_000 : 10_000;
    const n = ctx.iters(2_000, 200);
    const word = (i: number) => WORDS[i % WORDS.length]!;

    const store = await openStore({ location: join(dir, 'store'), sync: false });
    await fill(store, count, rng(42));
    const rows = new Map<string, Row>();
    for await (const e of store.log.readAll()) {
      const d = e.data as { name: string; description: string; author: string; tags: string[] };
      if (e.type === 'template.published') rows.set(d.name, { name: d.name, description: d.description, author: d.author, tags: d.tags, downloads: 0 });
      else if (e.type === 'template.downloaded') rows.get(d.name)!.downloads++;
    }
    const storeFig = await latency((i) => store.views.templates.search(word(i), { sort: 'downloads', limit: 10 }), { iterations: n });
    await store.close();

    const db = new (sqliteDatabase())(join(dir, 'templates.sqlite'));
    db.pragma('journal_mode = WAL');
    db.exec(`CREATE TABLE templates (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, description TEXT NOT NULL, author TEXT NOT NULL, downloads INTEGER NOT NULL DEFAULT 0);
      CREATE TABLE template_tags (template_id INTEGER NOT NULL, tag TEXT NOT NULL, PRIMARY KEY (template_id, tag));
      CREATE INDEX idx_templates_downloads ON templates(downloads); CREATE INDEX idx_templates_author ON templates(author); CREATE INDEX idx_template_tags_tag ON template_tags(tag);`);
    const insert = db.prepare('INSERT INTO templates (name, description, author, downloads) VALUES (?, ?, ?, ?)');
    const insertTag = db.prepare('INSERT INTO template_tags (template_id, tag) VALUES (?, ?)');
    db.transaction(() => {
      for (const r of rows.values()) {
        const id = insert.run(r.name, r.description, r.author, r.downloads).lastInsertRowid;
        for (const t of r.tags) insertTag.run(id, t);
      }
    })();
    const search = db.prepare("SELECT * FROM templates WHERE name LIKE '%' || @w || '%' OR description LIKE '%' || @w || '%' ORDER BY downloads DESC LIMIT 10");
    const sqliteFig = await latency((i) => search.all({ w: word(i) }), { iterations: ctx.iters(500, 50), maxMs: 15_000 });
    db.close();

    const jsonFile = join(dir, 'templates.json');
    writeFileSync(jsonFile, JSON.stringify({ templates: Object.fromEntries([...rows].map(([k, r]) => [k, r])) }, null, 2));
    const jsonFig = await latency((i) => {
      const w = word(i);
      const { templates } = JSON.parse(readFileSync(jsonFile, 'utf8')) as { templates: Record<string, Row> };
      return Object.values(templates)
        .filter((t) => t.name.includes(w) || t.description.includes(w))
        .sort((a, b) => b.downloads - a.downloads)
        .slice(0, 10);
    }, { iterations: ctx.iters(200, 20), maxMs: 10_000 });

    const level = await openRawLevel(join(dir, 'level'));
    await level.batch([...rows.values()].map((r) => ({ type: 'put' as const, key: `t!${r.name}`, value: rawPackr.pack(r) })));
    const levelFig = await latency(async () => (await level.values({ gte: 't!', lt: 't!\uffff', limit: 10 }).all()).map((v) => rawPackr.unpack(v)), { iterations: n });
    await level.close();

    ctx.record({
      scenario: 'template search (10 hits)',
      size: ctx.size,
      kind: 'latency',
      unit: 'query',
      figures: { store: storeFig, json: jsonFig, sqlite: sqliteFig, level: levelFig },
      note: `${count} templates with downloads and ratings; one word, sorted by downloads, 10 hits`,
    });
  },
};
