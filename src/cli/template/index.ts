/** Every `pygubu-template` command, in the order --help lists them (how to add one: src/cli/db/index.ts). */
import type { CommandEntry } from '../command.js';

export const templateCommands: readonly CommandEntry[] = [
  { command: 'publish <path>', describe: 'Publish a .ui file or a project directory (.ui, .py, README.md) as a template version', load: () => import('./commands.js').then((m) => m.publish) },
  { command: 'search [query]', describe: 'Find templates by words of their name, description or tags (prefix match, all words)', load: () => import('./commands.js').then((m) => m.search) },
  { command: 'install <spec>', describe: 'Write a template into DIR/<name>/ (name or name@semver-range) and count a download', load: () => import('./commands.js').then((m) => m.install) },
  { command: 'rate <name> <stars>', describe: 'Rate a template 1–5 stars, optionally with a review (rating again replaces yours)', load: () => import('./commands.js').then((m) => m.rate) },
  { command: 'info <name>', describe: 'Show a template: latest version, rating, downloads, files', load: () => import('./commands.js').then((m) => m.info) },
  { command: 'versions <name>', describe: 'List every version of a template, newest first', load: () => import('./commands.js').then((m) => m.versions) },
  { command: 'reviews <name>', describe: "Show a template's reviews, newest first", load: () => import('./commands.js').then((m) => m.reviews) },
  { command: ['list', 'ls'], describe: 'List templates', load: () => import('./commands.js').then((m) => m.list) },
  { command: 'deprecate <spec>', describe: 'Deprecate a whole template (name) or one version (name@version)', load: () => import('./commands.js').then((m) => m.deprecate) },
  { command: 'seed', describe: 'Publish the built-in starter templates (login, crud, settings) the store lacks', load: () => import('./commands.js').then((m) => m.seed) },
  { command: 'login <url>', describe: 'Save your account token for a remote marketplace (checked with the server first; kept 0600 in $PYGUBUAI_HOME/credentials.json)', load: () => import('./commands.js').then((m) => m.login) },
];
