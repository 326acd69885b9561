import type { ProjectRow } from '../../projections/projects.js';
import type { Output } from '../output.js';

export const projectJson = (p: ProjectRow) => ({
  id: p.id,
  name: p.name,
  path: p.path,
  description: p.description,
  tags: p.tags,
  created: p.created,
  modified: p.modified,
});

export function projectTable(out: Output, rows: readonly ProjectRow[], activeId?: string): void {
  out.table(
    ['', 'NAME', 'TAGS', 'MODIFIED', 'PATH'],
    rows.map((p) => [p.id === activeId ? '*' : '', p.name, p.tags.join(','), shortTime(p.modified), p.path]),
    { empty: 'no projects' },
  );
}

export const shortTime = (t: string | null | undefined): string => (t ? t.replace('T', ' ').replace(/(\.\d+)?(\+00:00|Z)$/, '') : '-');
