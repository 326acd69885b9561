import type { ErrorObject } from 'ajv';
import { LATEST_VERSION } from '../generated/events.js';
import { StoreError, ValidationError } from '../errors.js';
import type { StoredEvent } from './envelope.js';
import { BUILT_IN_UPCASTERS } from './upcasters.js';

export type Upcaster = (data: Record<string, unknown>, event: StoredEvent) => Record<string, unknown>;

interface Validate {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

interface Validators {
  envelope: Validate;
  byTypeVersion: Record<string, Validate>;
}

let builtIn: Promise<Validators> | undefined;
// The validators are generated at build time; read commands never load them (nor ajv).
const loadBuiltIn = (): Promise<Validators> =>
  (builtIn ??= import('../generated/validators.js') as Promise<Validators>);

/**
 * Which event types exist, at which schema versions, how to validate each, and how to lift an old
 * version to the newest one on read. The log is never rewritten: old events are upcast when read.
 */
export class SchemaRegistry {
  private readonly latest = new Map<string, number>(Object.entries(LATEST_VERSION));
  private readonly runtime = new Map<string, Validate>();
  private readonly upcasters = new Map<string, Upcaster>();
  private validators: Validators | undefined;

  constructor() {
    for (const [type, from, upcast] of BUILT_IN_UPCASTERS) this.registerUpcaster(type, from, upcast);
  }

  latestVersion(type: string): number | undefined {
    return this.latest.get(type);
  }

  /** Add a schema at run time (tests, plug-ins). Built-in schemas are precompiled instead. */
  async registerSchema(type: string, v: number, schema: object): Promise<void> {
    const mod = (await import('ajv')) as unknown as { default: { default?: unknown } };
    const AjvCtor = (mod.default.default ?? mod.default) as new (o: object) => { compile(s: object): Validate };
    const validate = new AjvCtor({ strict: true, allErrors: false }).compile(schema);
    this.runtime.set(`${type}.v${v}`, validate);
    if ((this.latest.get(type) ?? 0) < v) this.latest.set(type, v);
  }

  /** Register the function that lifts `type` data from version `from` to `from + 1`. */
  registerUpcaster(type: string, from: number, upcast: Upcaster): void {
    this.upcasters.set(`${type}.v${from}`, upcast);
  }

  /** Load the precompiled validators; the writer calls this once before its first append. */
  async ready(): Promise<void> {
    this.validators ??= await loadBuiltIn();
  }

  /** Throws ValidationError naming the type and the JSON path of the first bad field. */
  validate(event: StoredEvent): void {
    const validators = this.validators;
    if (!validators) throw new Error('SchemaRegistry.validate called before ready()');
    if (!validators.envelope(event)) {
      throw fromAjv(String(event.type ?? 'unknown'), '', validators.envelope.errors);
    }
    const key = `${event.type}.v${event.v}`;
    const validate = this.runtime.get(key) ?? validators.byTypeVersion[key];
    if (!validate) {
      throw new StoreError('UNKNOWN_EVENT_TYPE', `no schema for event type ${event.type} version ${event.v}`, {
        details: { eventType: event.type, v: event.v },
      });
    }
    if (!validate(event.data)) throw fromAjv(event.type, '/data', validate.errors);
  }

  /** Lift a stored event to its type's newest schema version. */
  upcast<E extends StoredEvent>(event: E): E {
    const latest = this.latest.get(event.type);
    if (latest === undefined || event.v >= latest) return event;
    let data = event.data as Record<string, unknown>;
    for (let v = event.v; v < latest; v++) {
      const up = this.upcasters.get(`${event.type}.v${v}`);
      if (!up) {
        throw new StoreError('UNKNOWN_EVENT_TYPE', `no upcaster for ${event.type} from v${v} to v${v + 1}`, {
          details: { eventType: event.type, v },
        });
      }
      data = up(data, event);
    }
    return { ...event, v: latest, data } as E;
  }
}

function fromAjv(type: string, base: string, errors: ErrorObject[] | null | undefined): ValidationError {
  const err = errors?.[0];
  if (!err) return new ValidationError(type, base, 'is invalid');
  let path = base + err.instancePath;
  let message = err.message ?? 'is invalid';
  if (err.keyword === 'required') {
    path += `/${(err.params as { missingProperty: string }).missingProperty}`;
    message = 'is required';
  } else if (err.keyword === 'additionalProperties') {
    path += `/${(err.params as { additionalProperty: string }).additionalProperty}`;
    message = 'is not allowed';
  } else if (err.keyword === 'enum') {
    message = `must be one of ${JSON.stringify((err.params as { allowedValues: unknown[] }).allowedValues)}`;
  }
  return new ValidationError(type, path, message);
}
