// Type layouts as plain JSON, for segment headers and descriptors, and their
// strict decoding: a layout read from shared memory is untrusted, so every
// offset and size is recomputed and must match what was claimed.
import { SharedCtypesError, typeError } from '../base/errors';
import { isTypecode, SCALARS } from './scalars';
import { CType, checkFieldName, layoutStruct, makeArrayType, makeStructType, StructType } from './ctype';

export type LayoutJSON =
  | string
  | { array: LayoutJSON; length: number }
  | { struct: Array<{ name: string; type: LayoutJSON; offset: number }>; size: number; align: number };

export function encodeType(type: CType): LayoutJSON {
  switch (type.kind) {
    case 'scalar':
      return type.code;
    case 'array':
      return { array: encodeType(type.element), length: type.length };
    case 'struct':
      return {
        struct: type.fields.map((f) => ({ name: f.name, type: encodeType(f.type), offset: f.offset })),
        size: type.size,
        align: type.align,
      };
  }
}

const MAX_DEPTH = 32;
const MAX_FIELDS = 4096;

/** Decodes an untrusted layout; throws `code` (default ERR_SHM_BAD_HEADER) on anything off. */
export function decodeType(json: unknown, code: 'ERR_SHM_BAD_HEADER' | 'ERR_INVALID_TYPE' = 'ERR_SHM_BAD_HEADER'): CType {
  let fieldBudget = MAX_FIELDS;
  const fail = (why: string): never => {
    // A bad layout from the caller (a descriptor) is an argument error; from a header, a bad segment.
    const message = `invalid type layout: ${why}`;
    throw code === 'ERR_INVALID_TYPE' ? typeError(code, message) : new SharedCtypesError(code, message);
  };
  const walk = (node: unknown, depth: number): CType => {
    if (depth > MAX_DEPTH) fail('nested too deeply');
    if (typeof node === 'string') {
      if (!isTypecode(node)) fail(`unknown typecode ${JSON.stringify(node.slice(0, 8))}`);
      return SCALARS[node as keyof typeof SCALARS];
    }
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return fail('not a type');
    const o = node as Record<string, unknown>;
    if ('array' in o) {
      if (typeof o.length !== 'number' || !Number.isSafeInteger(o.length) || o.length < 0) fail('bad array length');
      const element = walk(o.array, depth + 1);
      try {
        return makeArrayType(element, o.length as number);
      } catch {
        return fail('array too large');
      }
    }
    if ('struct' in o) {
      if (!Array.isArray(o.struct) || o.struct.length === 0) return fail('struct without fields');
      fieldBudget -= o.struct.length;
      if (fieldBudget < 0) fail('too many fields');
      const fields = (o.struct as unknown[]).map((f) => {
        if (typeof f !== 'object' || f === null) return fail('bad field');
        const fr = f as Record<string, unknown>;
        if (typeof fr.name !== 'string') return fail('field without a name');
        try {
          checkFieldName(fr.name);
        } catch {
          fail(`bad field name ${JSON.stringify(fr.name.slice(0, 32))}`);
        }
        return { name: fr.name, type: walk(fr.type, depth + 1), offset: fr.offset };
      });
      let layout: ReturnType<typeof layoutStruct>;
      let struct: StructType;
      try {
        layout = layoutStruct(fields);
        struct = makeStructType(fields);
      } catch (err) {
        return fail(err instanceof Error ? err.message : 'bad struct');
      }
      layout.fields.forEach((f, i) => {
        if (fields[i].offset !== f.offset) fail(`field ${f.name} claims offset ${String(fields[i].offset)}, C layout puts it at ${f.offset}`);
      });
      if (o.size !== layout.size || o.align !== layout.align) fail('struct size or alignment does not match its fields');
      return struct;
    }
    return fail('not a type');
  };
  return walk(json, 0);
}

/** Canonical text of a type, for layout equality checks. */
export function typeKey(type: CType): string {
  return JSON.stringify(encodeType(type));
}
