// One ajv setup and one error shape for everything checked against a JSON Schema (config files, bus messages), so a
// bad field is reported the same way everywhere: its dotted path and what was expected.
import { Ajv, type ErrorObject, type Options } from 'ajv';

export interface FieldError {
  /** dotted path of the offending field, e.g. "broker.port" or "capacity.cpu"; "" for the whole document */
  field: string;
  message: string;
}

export function createAjv(options: Options = {}): Ajv {
  // allErrors: report every problem at once; strict: a typo in a schema keyword is a bug, not a silent no-op.
  // strictRequired off: `oneOf: [{ required: ['a'] }, { required: ['b'] }]` over properties declared by the parent is
  // a legitimate pattern that strict mode would reject.
  return new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true, ...options });
}

function joinPath(base: string, key: string): string {
  return base === '' ? key : `${base}.${key}`;
}

/** ajv's "/capacity/cpu" or "/capabilities/0" -> "capacity.cpu" / "capabilities[0]" */
function pathOf(instancePath: string): string {
  let out = '';
  for (const raw of instancePath.split('/').slice(1)) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    out = /^\d+$/.test(key) ? `${out}[${key}]` : joinPath(out, key);
  }
  return out;
}

export function toFieldErrors(errors: readonly ErrorObject[] | null | undefined, prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors ?? []) {
    let field = pathOf(e.instancePath);
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'additionalProperties') {
      field = joinPath(field, String(e.params['additionalProperty']));
      message = 'is not a known key';
    } else if (e.keyword === 'required') {
      field = joinPath(field, String(e.params['missingProperty']));
      message = 'is required';
    } else if (e.keyword === 'enum') {
      message = `must be one of ${(e.params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    }
    out.push({ field: prefix === '' ? field : joinPath(prefix, field), message });
  }
  return dedupe(out);
}

function dedupe(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.field}\u0000${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function describeErrors(errors: readonly FieldError[]): string {
  return errors.map((e) => (e.field === '' ? e.message : `${e.field}: ${e.message}`)).join('; ');
}
