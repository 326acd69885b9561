/**
 * The common command line without yargs. yargs is a quarter of the code a bin loads and about a
 * third of a read command's start (docs/performance.md, "Cold start"), yet most command lines are
 * plain: a command path, its positionals, long options and their aliases. This parser reads the
 * same command modules yargs does (their builders run against a recorder with the Argv methods they
 * use) and builds the arguments yargs would hand the handler. Anything it is not certain of — help,
 * completion, an unknown or repeated flag, a missing or bad value, `--`, short-flag groups, a value
 * that could be a flag — is left to yargs, which then parses the whole line as before: every usage
 * error and every help text still comes from yargs. test/fast-args.test.ts parses a corpus with
 * both and checks they agree wherever this one answers.
 */
import type { BinSpec } from './bins.js';
import type { CommandEntry, LoadedCommand } from './command.js';

type OptionType = 'string' | 'number' | 'boolean';

interface OptionSpec {
  type?: OptionType;
  alias?: string | readonly string[];
  default?: unknown;
  choices?: readonly unknown[];
  demandOption?: unknown;
  array?: boolean;
}

interface Positional {
  name: string;
  required: boolean;
  variadic: boolean;
}

/** The options every bin declares in run.ts (yargs' `global: true`). */
export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  store: { type: 'string' },
  json: { type: 'boolean', default: false },
  quiet: { alias: 'q', type: 'boolean', default: false },
  yes: { alias: 'y', type: 'boolean', default: false },
  color: { type: 'boolean' },
  server: { type: 'boolean', default: true },
};

/** The option keys this parser reproduces; `describe` is only help text. */
const MODELLED_KEYS = new Set(['type', 'alias', 'default', 'choices', 'demandOption', 'array', 'describe']);

/** What a command's builder declared, recorded instead of handed to yargs. */
class Recorder {
  readonly options = new Map<string, OptionSpec>();
  readonly positionalTypes = new Map<string, OptionSpec>();
  readonly subcommands: LoadedCommand[] = [];
  /** Set when the builder called an Argv method this parser does not model: yargs takes over. */
  unsupported = false;
  versionFlag = true;

  constructor(inherited?: Recorder) {
    if (inherited) for (const [k, v] of inherited.options) this.options.set(k, v);
    else for (const [k, v] of Object.entries(GLOBAL_OPTIONS)) this.options.set(k, v);
  }

  option(name: string, spec: OptionSpec = {}): this {
    this.check(spec);
    this.options.set(name, { ...this.options.get(name), ...spec });
    return this;
  }

  positional(name: string, spec: OptionSpec = {}): this {
    this.check(spec);
    this.positionalTypes.set(name, { ...this.positionalTypes.get(name), ...spec });
    return this;
  }

  /** An option key that changes parsing (coerce, nargs, conflicts…) is yargs' to apply. */
  private check(spec: object): void {
    const type = (spec as OptionSpec).type;
    if (Object.keys(spec).some((k) => !MODELLED_KEYS.has(k)) || (type !== undefined && !['string', 'number', 'boolean'].includes(type))) {
      this.unsupported = true;
    }
  }

  command(module: LoadedCommand): this {
    this.subcommands.push(module);
    return this;
  }

  version(flag: unknown): this {
    if (flag === false) this.versionFlag = false;
    else this.unsupported = true;
    return this;
  }

  /** Only help text: nothing to parse. */
  example(): this {
    return this;
  }

  demandCommand(): this {
    return this;
  }

  /** The recorder as the builder sees it: any other Argv method marks the line for yargs. */
  proxy(): unknown {
    return new Proxy(this, {
      get: (target, key, receiver) => {
        if (typeof key === 'string' && !(key in target)) {
          return () => {
            target.unsupported = true;
            return receiver;
          };
        }
        const value = Reflect.get(target, key, target) as unknown;
        return typeof value === 'function' ? (...args: unknown[]) => {
          (value as (...a: unknown[]) => unknown).apply(target, args);
          return receiver;
        } : value;
      },
    });
  }
}

/** `'show <name>'`, `['remove <name>', 'rm <name>']`, `'$0 <project>'` → names and positionals. */
function commandShape(command: string | readonly string[] | undefined): { names: string[]; positionals: Positional[]; isDefault: boolean } {
  const forms = command === undefined ? [] : typeof command === 'string' ? [command] : [...command];
  const names: string[] = [];
  let positionals: Positional[] = [];
  let isDefault = false;
  forms.forEach((form, i) => {
    const [name, ...rest] = form.trim().split(/\s+/);
    if (name === '$0') isDefault = true;
    else if (name) names.push(name);
    if (i > 0) return;
    positionals = rest.map((p) => {
      const m = /^([<[])([^\]>]+?)(\.\.)?[\]>]$/.exec(p);
      if (!m) return { name: '', required: true, variadic: false };
      return { name: m[2]!, required: m[1] === '<', variadic: m[3] === '..' };
    });
  });
  return { names, positionals, isDefault };
}

const camel = (name: string): string => name.replace(/-+([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const aliasesOf = (spec: OptionSpec): string[] => (spec.alias === undefined ? [] : typeof spec.alias === 'string' ? [spec.alias] : [...spec.alias]);
/** yargs reads these as numbers even for a string (`--limit 5` when untyped): leave such lines to it. */
const NUMERIC = /^-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;
/** A value token yargs would read as a flag (or as a negative number), not as a value. */
const flagLike = (token: string): boolean => token.startsWith('-') && token !== '-';

/** A parsed line: the leaf command's handler and the arguments yargs would have given it. */
export interface FastParse {
  handler: (argv: never) => void | Promise<void>;
  argv: Record<string, unknown>;
}

/**
 * The arguments yargs would pass for `rawArgv`, or undefined when this line is for yargs (help,
 * completion, an error, anything unusual). Loads only the command modules on the line's path.
 */
export async function fastParse(spec: BinSpec, rawArgv: readonly string[]): Promise<FastParse | undefined> {
  const argv = [...rawArgv];
  if (argv.includes('--')) return undefined;
  let recorder = new Recorder();
  let entries: ReadonlyArray<CommandEntry | LoadedCommand> = spec.commands;
  const path: string[] = [];
  let cursor = 0;
  let leaf: LoadedCommand | undefined;
  let positionals: Positional[] = [];
  for (;;) {
    // the next command word: the first token that is neither a flag nor a known flag's value
    let word: string | undefined;
    let at = cursor;
    for (; at < argv.length; at++) {
      const token = argv[at]!;
      if (!token.startsWith('-') || token === '-') {
        word = token;
        break;
      }
      const skip = valueTokens(recorder, token);
      if (skip === undefined) return undefined;
      at += skip;
    }
    const shapes = entries.map((e) => ({ entry: e, shape: commandShape(e.command) }));
    let chosen = word === undefined ? undefined : shapes.find((s) => s.shape.names.includes(word));
    let consumed = chosen !== undefined;
    if (!chosen) {
      chosen = shapes.find((s) => s.shape.isDefault);
      consumed = false;
      if (!chosen) return undefined; // no command, or not one of ours: yargs explains
    }
    if (consumed) {
      path.push(word!);
      argv.splice(at, 1);
    }
    cursor = consumed ? at : cursor;
    const module = 'load' in chosen.entry ? await (chosen.entry as CommandEntry).load() : (chosen.entry as LoadedCommand);
    const next = new Recorder(recorder);
    if (typeof module.builder === 'function') {
      try {
        (module.builder as (y: unknown) => unknown)(next.proxy());
      } catch {
        return undefined;
      }
    } else if (module.builder !== undefined) return undefined;
    if (next.unsupported) return undefined;
    recorder = next;
    if (next.subcommands.length > 0) {
      entries = next.subcommands;
      continue;
    }
    leaf = module;
    positionals = chosen.shape.positionals;
    break;
  }
  if (positionals.some((p) => p.name === '')) return undefined;

  const given = new Map<string, unknown>();
  const free: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (!token.startsWith('-') || token === '-') {
      free.push(token);
      continue;
    }
    const flag = readFlag(recorder, token, argv[i + 1]);
    if (flag === undefined) return undefined;
    i += flag.used;
    const previous = given.get(flag.name);
    const spec = recorder.options.get(flag.name)!;
    if (previous !== undefined) {
      // yargs gathers a repeated string or number flag into an array; a repeated boolean is its own story
      if (spec.type === 'boolean') return undefined;
      given.set(flag.name, [...(Array.isArray(previous) ? previous : [previous]), flag.value]);
    } else given.set(flag.name, spec.array ? [flag.value] : flag.value);
  }

  const out: Record<string, unknown> = { _: path };
  for (const [name, spec] of recorder.options) {
    let value = given.get(name);
    if (value === undefined) {
      if (spec.demandOption) return undefined;
      if (!('default' in spec) || spec.default === undefined) continue;
      value = spec.default;
    } else if (spec.choices && !(Array.isArray(value) ? value : [value]).every((v) => spec.choices!.includes(v))) return undefined;
    for (const key of [name, ...aliasesOf(spec)]) {
      out[key] = value;
      out[camel(key)] = value;
    }
  }
  let f = 0;
  for (const p of positionals) {
    const spec = recorder.positionalTypes.get(p.name) ?? {};
    const raw = p.variadic ? free.slice(f) : f < free.length ? [free[f]!] : [];
    f += raw.length;
    if (raw.length === 0) {
      if (p.required) return undefined;
      const fallback = spec.default !== undefined ? spec.default : p.variadic ? [] : undefined;
      if (fallback !== undefined) {
        out[p.name] = fallback;
        out[camel(p.name)] = fallback;
      }
      continue;
    }
    const values: unknown[] = [];
    for (const r of raw) {
      const v = convert(spec.type, r);
      if (v === undefined) return undefined;
      values.push(v);
    }
    if (spec.choices && !values.every((v) => spec.choices!.includes(v))) return undefined;
    if (out[p.name] !== undefined || out[camel(p.name)] !== undefined) return undefined; // a flag of the same name
    const value = p.variadic || spec.array ? values : values[0];
    out[p.name] = value;
    out[camel(p.name)] = value;
  }
  if (f < free.length) return undefined; // too many: yargs' strict mode says so
  out.$0 = spec.scriptName;
  return { handler: leaf.handler, argv: out };
}

/** A value as yargs types it; undefined when yargs would read it differently (left to yargs). */
function convert(type: OptionType | undefined, raw: string): unknown {
  if (type === 'number') return NUMERIC.test(raw) ? Number(raw) : undefined;
  if (type === 'string') return raw;
  if (type === undefined) return NUMERIC.test(raw) || raw === 'true' || raw === 'false' ? undefined : raw;
  return undefined;
}

/** The option a flag token names, if this command knows it. */
function lookup(recorder: Recorder, name: string): string | undefined {
  if (recorder.options.has(name)) return name;
  for (const [option, spec] of recorder.options) if (aliasesOf(spec).includes(name)) return option;
  return undefined;
}

/** A flag token resolved against the command's options; undefined for one this parser cannot place. */
function resolveFlag(recorder: Recorder, token: string): { name: string; spec: OptionSpec; inline?: string; negated: boolean } | undefined {
  let name: string;
  let inline: string | undefined;
  if (token.startsWith('--')) {
    const eq = token.indexOf('=');
    name = eq === -1 ? token.slice(2) : token.slice(2, eq);
    if (eq !== -1) inline = token.slice(eq + 1);
    if (!/^[a-z][a-z0-9-]*$/.test(name)) return undefined;
  } else if (/^-[a-zA-Z]$/.test(token)) {
    name = token.slice(1); // one short alias alone; groups (`-qy`), `-n5` and negative numbers go to yargs
  } else return undefined;
  if (name === 'help' || name === 'h' || (name === 'version' && recorder.versionFlag)) return undefined;
  const option = lookup(recorder, name);
  if (option !== undefined) {
    const spec = recorder.options.get(option)!;
    // `--json=false` is yargs' to read
    if (spec.type === 'boolean' && inline !== undefined) return undefined;
    return { name: option, spec, ...(inline !== undefined ? { inline } : {}), negated: false };
  }
  if (name.startsWith('no-') && inline === undefined && token.startsWith('--')) {
    const negated = lookup(recorder, name.slice(3));
    const spec = negated === undefined ? undefined : recorder.options.get(negated)!;
    if (spec?.type === 'boolean') return { name: negated!, spec, negated: true };
  }
  return undefined;
}

/** How many value tokens follow a flag while looking for the command word; undefined: not ours. */
function valueTokens(recorder: Recorder, token: string): number | undefined {
  const flag = resolveFlag(recorder, token);
  if (flag === undefined) return undefined;
  return flag.spec.type === 'boolean' || flag.inline !== undefined ? 0 : 1;
}

/** One flag and its value; `used` is 1 when the value was the next token. */
function readFlag(recorder: Recorder, token: string, next: string | undefined): { name: string; value: unknown; used: number } | undefined {
  const flag = resolveFlag(recorder, token);
  if (flag === undefined) return undefined;
  if (flag.spec.type === 'boolean') {
    // `--json false` is yargs' to read too
    if (next === 'true' || next === 'false') return undefined;
    return { name: flag.name, value: !flag.negated, used: 0 };
  }
  const raw = flag.inline ?? next;
  if (raw === undefined || (flag.inline === undefined && flagLike(raw))) return undefined;
  const value = convert(flag.spec.type, raw);
  if (value === undefined) return undefined;
  return { name: flag.name, value, used: flag.inline === undefined ? 1 : 0 };
}

/** @internal One leaf command as the builders declare it (test/fast-args.test.ts builds its corpus from these). */
export interface LeafShape {
  /** The words that name it; a default subcommand (`$0`) adds none. */
  path: string[];
  positionals: Array<Positional & { type?: OptionType; choices?: readonly unknown[] }>;
  options: Array<{ name: string } & OptionSpec>;
  /** Its builder uses an Argv method this parser leaves to yargs. */
  unsupported: boolean;
}

/** @internal Every leaf command of a bin, by walking its builders with the recorder. */
export async function leafShapes(spec: BinSpec): Promise<LeafShape[]> {
  const leaves: LeafShape[] = [];
  const walk = async (entries: ReadonlyArray<CommandEntry | LoadedCommand>, parent: Recorder, path: string[]): Promise<void> => {
    for (const entry of entries) {
      const shape = commandShape(entry.command);
      const module = 'load' in entry ? await (entry as CommandEntry).load() : (entry as LoadedCommand);
      const recorder = new Recorder(parent);
      if (typeof module.builder === 'function') (module.builder as (y: unknown) => unknown)(recorder.proxy());
      const here = shape.isDefault ? path : [...path, shape.names[0]!];
      if (recorder.subcommands.length > 0) {
        await walk(recorder.subcommands, recorder, here);
        continue;
      }
      leaves.push({
        path: here,
        positionals: shape.positionals.map((p) => ({ ...p, ...recorder.positionalTypes.get(p.name) })),
        options: [...recorder.options].map(([name, o]) => ({ name, ...o })),
        unsupported: recorder.unsupported,
      });
    }
  };
  await walk(spec.commands, new Recorder(), []);
  return leaves;
}
