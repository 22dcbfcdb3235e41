// Where one shared object's bytes live, and what closing it means. Every view
// of an object (raw value, struct views, synchronized wrapper) shares one
// ObjectMemory, so close() through any of them closes them all.
import { SharedCtypesError } from '../base/errors';
import { blockTagText } from '../descriptor/descriptor';
import { Block, BlockRef, dropBlock, release } from '../memory/arena';
import { SegmentKind } from '../segment/header';
import { SharedSegment } from '../segment/segment';
import { releaseSegment } from '../segment/open-segments';

export function closedError(what = 'shared object'): SharedCtypesError {
  return new SharedCtypesError('ERR_SHM_CLOSED', `this ${what} was closed in this process`);
}

/** Bookkeeping that outlives the handle, for the finalizer. */
class Lease {
  done = false;
  constructor(
    /** The arena block this process allocated for the object (its creator's reference). */
    readonly block: Block | null,
    /** The reference this process took on another process's block by attaching. */
    readonly ref: BlockRef | null,
  ) {}

  /** Gives the block back (once). */
  end(): void {
    if (this.done) return;
    this.done = true;
    if (this.block !== null) release(this.block);
    else if (this.ref !== null) dropBlock(this.ref);
  }
}

// An arena object whose every view was collected drops its reference on the
// block, as Python's heap frees a block when its ctypes object dies; the block
// is reused once no process references it.
const finalizer = new FinalizationRegistry<Lease>((lease) => lease.end());

const viewOwners = new WeakMap<ArrayBuffer, ObjectMemory>();

/** Ends an object's lease from elsewhere (the finalizer of its own lock); holds the lease, not the object. */
export interface LeaseEnd {
  readonly done: boolean;
  end(): void;
}

export class ObjectMemory {
  readonly segment: SharedSegment;
  /** Byte offset of the object inside the segment. */
  readonly offset: number;
  readonly size: number;
  closed = false;
  readonly #lease: Lease;
  /** Holds a reference on the segment (own or attached segment), dropped by close(). */
  readonly #ownsRef: boolean;
  /** A separate detachable ArrayBuffer over the object, made on demand (raw arrays). */
  #view: ArrayBuffer | null = null;

  /**
   * What must stay alive as long as this object: its own lock, whose finalizer
   * ends this lease too (one finalizer registration per Value instead of two).
   */
  companion: object | null = null;

  /** `finalize` false: the caller hands leaseEnd() to a finalizer of its own (see companion). */
  constructor(segment: SharedSegment, offset: number, size: number, block: Block | null, ownsRef: boolean, ref: BlockRef | null = null, finalize = true) {
    this.segment = segment;
    this.offset = offset;
    this.size = size;
    this.#lease = new Lease(block, ref);
    this.#ownsRef = ownsRef;
    if (finalize && (block !== null || ref !== null)) finalizer.register(this, this.#lease, this);
  }

  /** The lease alone (not this object), for a companion's finalizer. */
  leaseEnd(): LeaseEnd {
    return this.#lease;
  }

  /** The whole segment's ArrayBuffer (objects index into it at `offset`). */
  get buffer(): ArrayBuffer {
    if (this.closed) throw closedError();
    return this.segment.buffer;
  }

  #dv: DataView | null = null;

  /** A DataView over the whole segment (objects address it at `offset`). */
  get dv(): DataView {
    if (this.closed) throw closedError();
    if (this.#dv === null) this.#dv = new DataView(this.segment.buffer);
    return this.#dv;
  }

  /** The object's bytes. */
  bytes(): Uint8Array {
    return new Uint8Array(this.buffer, this.offset, this.size);
  }

  /**
   * An ArrayBuffer of exactly this object's bytes that close() detaches, for
   * TypedArrays handed to users. Its owner must keep this ObjectMemory alive.
   */
  detachableView(): ArrayBuffer {
    if (this.closed) throw closedError();
    if (this.#view === null) {
      this.#view = this.segment.view(this.offset, this.size);
      // Subarrays share the view, not this handle: keep the handle (and so
      // the block) alive as long as the view is.
      viewOwners.set(this.#view, this);
    }
    return this.#view;
  }

  /** The arena block's tag, for descriptors; null for a named object's own segment. */
  get blockTag(): string | null {
    const { block, ref } = this.#lease;
    const tag = block?.tag ?? ref?.tag;
    return tag === undefined ? null : blockTagText(tag);
  }

  /** The object has a segment of its own (a named object): unlink() removes that name. */
  get ownSegment(): boolean {
    return this.segment.header.kind === SegmentKind.Object;
  }

  /** Ends this process's use of the object. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.#dv = null;
    if (this.#view !== null) {
      SharedSegment.detach(this.#view);
      this.#view = null;
    }
    finalizer.unregister(this);
    this.#lease.end();
    if (this.#ownsRef) releaseSegment(this.segment);
  }
}
