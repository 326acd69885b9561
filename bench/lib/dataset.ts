import { rng } from './random.js';
/**
 * The synthetic registry every peer is loaded with: N projects with tags, descriptions and workflow
 * history, deterministic (seeded), so each run and each peer sees the same data.
 */

export interface BenchProject {
  id: string;
  name: string;
  path: string;
  description: string;
  tags: string[];
  created: string;
  modified: string;
  history: Array<{ timestamp: string; action: string; description: string; user: string }>;
}

const ADJECTIVES = ['simple', 'modern', 'compact', 'dark', 'responsive', 'legacy', 'tiny', 'tabbed', 'modal', 'scrollable'];
const NOUNS = ['login', 'settings', 'dashboard', 'editor', 'viewer', 'wizard', 'inventory', 'calculator', 'chat', 'report'];
const DOMAINS = ['accounting', 'school', 'clinic', 'warehouse', 'library', 'garage', 'bakery', 'museum', 'hotel', 'farm'];
export const TAGS = [
  'forms', 'auth', 'dialogs', 'tables', 'charts', 'menus', 'canvas', 'themes', 'i18n', 'database',
  'network', 'files', 'images', 'audio', 'games', 'tools', 'admin', 'reports', 'wizard', 'tree',
];
const ACTIONS = ['file_changed', 'ui_generated', 'widget_added', 'callback_added', 'synced'];

export { rng };

const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;

/**
 * A word carried by exactly ten projects (the `i % (N/10)`th rare word), so "word search returning
 * 10 hits" is a real search over the whole registry, not the first ten of a common word.
 */
export const rareWord = (k: number): string => `zq${k.toString(36)}`;
export const rareWordCount = (n: number): number => Math.max(1, Math.floor(n / 10));

export const projectName = (i: number): string => `app-${i.toString().padStart(6, '0')}`;
export const HISTORY_PER_PROJECT = 3;

const BASE_TIME = Date.parse('2024-01-01T00:00:00Z');
const pyIso = (ms: number): string => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000+00:00');

export function* projects(n: number, seed = 42): Generator<BenchProject> {
  const r = rng(seed);
  const rare = rareWordCount(n);
  for (let i = 0; i < n; i++) {
    const name = projectName(i);
    const created = BASE_TIME + i * 60_000;
    const tags = new Set<string>();
    const tagCount = 1 + Math.floor(r() * 3);
    while (tags.size < tagCount) tags.add(pick(r, TAGS));
    const history = [];
    for (let h = 0; h < HISTORY_PER_PROJECT; h++) {
      history.push({
        timestamp: pyIso(created + (h + 1) * 3_600_000),
        action: pick(r, ACTIONS),
        description: `${pick(r, NOUNS)}.ui changed by step ${h + 1}`,
        user: 'bench',
      });
    }
    yield {
      id: `p${i.toString(36).padStart(6, '0')}`,
      name,
      path: `/home/bench/projects/${name}`,
      description: `A ${pick(r, ADJECTIVES)} ${pick(r, NOUNS)} window for the ${pick(r, DOMAINS)} ${rareWord(i % rare)}`,
      tags: [...tags],
      created: pyIso(created),
      modified: pyIso(created + HISTORY_PER_PROJECT * 3_600_000),
      history,
    };
  }
}

/** Events per project in the store: one registration plus its history. */
export const eventsPerProject = 1 + HISTORY_PER_PROJECT;
