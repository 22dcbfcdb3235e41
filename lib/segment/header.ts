// The self-describing header at the start of every segment (format v3).
// The byte layout is documented in docs/segment-format.md; this module is the
// only code that knows it. A header is untrusted: another process may have
// written anything, so decoding checks every field against the real mapping
// size before anything else uses it.
import { randomBytes } from 'crypto';
import { rangeError, SharedCtypesError } from '../base/errors';
import { alignUp } from '../base/align';
import { binding } from '../base/native';

/** "SCTYPES\0": the addon's value, which its watchdog checks. */
export const MAGIC = binding.SEGMENT_MAGIC;
export const FORMAT_VERSION = 3;
/** Size of the fixed, binary part. */
export const FIXED_SIZE = 128;
/** Alignment of the lock region, the header end and the payload. */
export const ALIGN = 64;
/** Upper bound on the JSON metadata, so a hostile length cannot make us parse megabytes. */
export const MAX_META_BYTES = 64 * 1024;

/** What a segment holds. */
export enum SegmentKind {
  Object = 1,
  Arena = 2,
  Lock = 3,
}

/** Lock kinds as stored in the header (0 = no inline lock). */
export enum LockKindCode {
  None = 0,
  Lock = 1,
  RLock = 2,
}

// Field offsets of the fixed part (little-endian).
const OFF_MAGIC = 0; // 8 bytes "SCTYPES\0"
const OFF_VERSION = 8; // u16
const OFF_FLAGS = 10; // u16, reserved (0)
const OFF_HEADER_SIZE = 12; // u32: payload starts here
const OFF_TOTAL_SIZE = 16; // u64: segment size as created
const OFF_PAYLOAD_SIZE = 24; // u64
const OFF_KIND = 32; // u32 SegmentKind
const OFF_LOCK_KIND = 36; // u32 LockKindCode of the inline lock
const OFF_LOCK_OFFSET = 40; // u64: inline lock region, 0 if none
const OFF_CREATOR_PID = binding.HEADER_CREATOR_PID_OFFSET; // u32 (48)
const OFF_META_LENGTH = 52; // u32: UTF-8 JSON bytes at FIXED_SIZE
const OFF_CREATED_AT = 56; // f64: ms since the Unix epoch
const OFF_INCARNATION = 64; // 8 random bytes: which segment of this name

export interface HeaderFields {
  kind: SegmentKind;
  payloadSize: number;
  /** JSON-able description of the contents (type layout, lock location, …). */
  meta: Record<string, unknown>;
  lockKind: LockKindCode;
  /** Bytes reserved for the inline lock region (0 when lockKind is None). */
  lockRegionSize: number;
}

export interface Header extends HeaderFields {
  /** 16 hex digits, random per segment: descriptors carry it, so they never bind to a later segment of the same name. */
  incarnation: string;
  version: number;
  headerSize: number;
  totalSize: number;
  lockOffset: number;
  creatorPid: number;
  createdAt: number;
}

/** Sizes for a new segment: where the lock and payload go, how big it all is. */
export function planHeader(fields: HeaderFields): { metaBytes: Buffer; lockOffset: number; headerSize: number; totalSize: number } {
  const metaBytes = Buffer.from(JSON.stringify(fields.meta), 'utf8');
  if (metaBytes.length > MAX_META_BYTES) {
    throw rangeError('ERR_INVALID_TYPE', `type description is too large for a segment header (${metaBytes.length} bytes)`);
  }
  const afterMeta = alignUp(FIXED_SIZE + metaBytes.length, ALIGN);
  const hasLock = fields.lockKind !== LockKindCode.None;
  const lockOffset = hasLock ? afterMeta : 0;
  const headerSize = hasLock ? alignUp(afterMeta + fields.lockRegionSize, ALIGN) : afterMeta;
  return { metaBytes, lockOffset, headerSize, totalSize: headerSize + fields.payloadSize };
}

// The magic as two little-endian words: "SCTY" and "PES\0".
const MAGIC_LO = Buffer.from(MAGIC, 'latin1').readInt32LE(0);
const MAGIC_HI = Buffer.from(MAGIC, 'latin1').readInt32LE(4);

/**
 * The first write into a fresh (zeroed) segment: who is building it, so an
 * attacher that finds it incomplete can tell a live builder from a dead one.
 */
export function writeBuilderPid(buffer: ArrayBuffer): void {
  new DataView(buffer).setUint32(OFF_CREATOR_PID, process.pid, true);
}

/**
 * Writes every header field but the magic into a fresh (zeroed) segment.
 * Attachers wait while the magic is zero: publishHeader() goes last, once the
 * lock and the initial contents are in place too.
 */
export function writeHeader(
  buffer: ArrayBuffer,
  fields: HeaderFields,
  plan: ReturnType<typeof planHeader>,
): void {
  const view = new DataView(buffer);
  view.setUint16(OFF_VERSION, FORMAT_VERSION, true);
  view.setUint16(OFF_FLAGS, 0, true);
  view.setUint32(OFF_HEADER_SIZE, plan.headerSize, true);
  view.setBigUint64(OFF_TOTAL_SIZE, BigInt(plan.totalSize), true);
  view.setBigUint64(OFF_PAYLOAD_SIZE, BigInt(fields.payloadSize), true);
  view.setUint32(OFF_KIND, fields.kind, true);
  view.setUint32(OFF_LOCK_KIND, fields.lockKind, true);
  view.setBigUint64(OFF_LOCK_OFFSET, BigInt(plan.lockOffset), true);
  view.setUint32(OFF_CREATOR_PID, process.pid, true);
  view.setUint32(OFF_META_LENGTH, plan.metaBytes.length, true);
  view.setFloat64(OFF_CREATED_AT, Date.now(), true);
  new Uint8Array(buffer, OFF_INCARNATION, 8).set(randomBytes(8));
  new Uint8Array(buffer, FIXED_SIZE, plan.metaBytes.length).set(plan.metaBytes);
}

/** Makes a fully built segment visible: the magic's first word is stored last, atomically. */
export function publishHeader(buffer: ArrayBuffer): void {
  const words = new Int32Array(buffer, OFF_MAGIC, 2);
  Atomics.store(words, 1, MAGIC_HI);
  Atomics.store(words, 0, MAGIC_LO);
}

/** How far a segment's creator got, from its first bytes (`buffer` may be shorter than a header). */
export type Progress =
  | { state: 'complete' }
  /** Magic still zero; `builder` is the creator's pid, 0 when not written yet. */
  | { state: 'building'; builder: number }
  | { state: 'foreign' };

export function progressOf(buffer: ArrayBuffer): Progress {
  // Our creators size a segment in one step, to at least a header: anything
  // shorter but not empty was never one of ours.
  if (buffer.byteLength < FIXED_SIZE) return buffer.byteLength === 0 ? { state: 'building', builder: 0 } : { state: 'foreign' };
  const words = new Int32Array(buffer, OFF_MAGIC, 2);
  const lo = Atomics.load(words, 0);
  if (lo === MAGIC_LO) return words[1] === MAGIC_HI ? { state: 'complete' } : { state: 'foreign' };
  if (lo !== 0 || words[1] !== 0) return { state: 'foreign' };
  return { state: 'building', builder: new DataView(buffer).getUint32(OFF_CREATOR_PID, true) };
}

function bad(name: string, why: string): SharedCtypesError {
  return new SharedCtypesError('ERR_SHM_BAD_HEADER', `segment '${name}' has an invalid header: ${why}`);
}

function readSize(view: DataView, offset: number): number {
  const v = view.getBigUint64(offset, true);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.POSITIVE_INFINITY : Number(v);
}

/**
 * Decodes and checks a header. `mappingSize` is the real size of the mapping
 * (never the header's claim). Throws ERR_SHM_BAD_HEADER on anything off.
 */
export function readHeader(buffer: ArrayBuffer, name: string, unpublished = false): Header {
  const mappingSize = buffer.byteLength;
  if (mappingSize < FIXED_SIZE) throw bad(name, `the segment is ${mappingSize} bytes, shorter than a header`);
  const view = new DataView(buffer, 0, FIXED_SIZE);
  // The creator reads back its own header before publishing it.
  if (!unpublished && Buffer.from(buffer, OFF_MAGIC, 8).toString('latin1') !== MAGIC) throw bad(name, 'wrong magic (not a sharedctypes segment)');
  const version = view.getUint16(OFF_VERSION, true);
  if (version !== FORMAT_VERSION) throw bad(name, `unknown format version ${version}`);
  const headerSize = view.getUint32(OFF_HEADER_SIZE, true);
  const totalSize = readSize(view, OFF_TOTAL_SIZE);
  const payloadSize = readSize(view, OFF_PAYLOAD_SIZE);
  const kind = view.getUint32(OFF_KIND, true);
  const lockKind = view.getUint32(OFF_LOCK_KIND, true);
  const lockOffset = readSize(view, OFF_LOCK_OFFSET);
  const creatorPid = view.getUint32(OFF_CREATOR_PID, true);
  const metaLength = view.getUint32(OFF_META_LENGTH, true);
  const createdAt = view.getFloat64(OFF_CREATED_AT, true);

  if (totalSize > mappingSize) throw bad(name, `claims ${totalSize} bytes but the mapping has ${mappingSize}`);
  if (headerSize % ALIGN !== 0 || headerSize < FIXED_SIZE || headerSize > totalSize) {
    throw bad(name, `header size ${headerSize} is not a multiple of ${ALIGN} inside the segment`);
  }
  if (payloadSize > totalSize - headerSize) throw bad(name, `payload of ${payloadSize} bytes runs past the segment end`);
  if (kind !== SegmentKind.Object && kind !== SegmentKind.Arena && kind !== SegmentKind.Lock) {
    throw bad(name, `unknown segment kind ${kind}`);
  }
  if (metaLength > MAX_META_BYTES || FIXED_SIZE + metaLength > headerSize) {
    throw bad(name, `metadata length ${metaLength} does not fit the header`);
  }
  if (lockKind !== LockKindCode.None && lockKind !== LockKindCode.Lock && lockKind !== LockKindCode.RLock) {
    throw bad(name, `unknown lock kind ${lockKind}`);
  }
  if (lockKind === LockKindCode.None) {
    if (lockOffset !== 0) throw bad(name, 'a lock offset without a lock');
  } else if (lockOffset % ALIGN !== 0 || lockOffset < FIXED_SIZE + metaLength || lockOffset > headerSize) {
    throw bad(name, `lock offset ${lockOffset} lies outside the header`);
  }
  if (!Number.isFinite(createdAt)) throw bad(name, 'creation time is not a number');

  let meta: unknown;
  try {
    meta = JSON.parse(Buffer.from(buffer, FIXED_SIZE, metaLength).toString('utf8'));
  } catch {
    throw bad(name, 'metadata is not valid JSON');
  }
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) throw bad(name, 'metadata is not an object');
  return {
    incarnation: Buffer.from(buffer, OFF_INCARNATION, 8).toString('hex'),
    version,
    headerSize,
    totalSize,
    payloadSize,
    kind,
    lockKind,
    lockOffset,
    lockRegionSize: lockKind === LockKindCode.None ? 0 : headerSize - lockOffset,
    creatorPid,
    createdAt,
    meta: meta as Record<string, unknown>,
  };
}
