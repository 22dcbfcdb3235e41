// Drives test/fixtures/peer.js: the test sends a snippet, the peer runs it
// against the objects it attached and replies with the (JSON) result.
import { forkFixture, Peer } from './processes';

/** What a peer snippet threw, as plain data. */
export interface PeerError {
  name: string;
  code?: string;
  message: string;
}

export class PeerFailure extends Error {
  readonly code: string | undefined;
  constructor(readonly thrown: PeerError) {
    super(`peer threw ${thrown.name} ${thrown.code ?? ''}: ${thrown.message}`);
    this.code = thrown.code;
  }
}

/** A forked peer, ready to run snippets. */
export async function startPeer(): Promise<Peer> {
  const peer = forkFixture('peer.js');
  const ready = await peer.next<{ type: string }>();
  if (ready.type !== 'ready') throw new Error(`peer said ${JSON.stringify(ready)}`);
  return peer;
}

/** Sends a snippet without waiting (for snippets that reply in several steps). */
export function post(peer: Peer, code: string, arg?: unknown): void {
  peer.send({ type: 'run', code, arg });
}

/** The result of a reply to post(); a throw in the peer becomes a PeerFailure here. */
export async function result<T = unknown>(peer: Peer): Promise<T> {
  const reply = await peer.next<{ type: string; value?: T; error?: PeerError }>();
  if (reply.type !== 'result') throw new Error(`expected a result, got ${JSON.stringify(reply)}`);
  if (reply.error) throw new PeerFailure(reply.error);
  return reply.value as T;
}

/** Runs a snippet in the peer and returns its result. */
export async function run<T = unknown>(peer: Peer, code: string, arg?: unknown): Promise<T> {
  post(peer, code, arg);
  return result<T>(peer);
}

/** The code a snippet throws in the peer, or undefined if it returns. */
export async function peerCode(peer: Peer, code: string, arg?: unknown): Promise<string | undefined> {
  try {
    await run(peer, code, arg);
  } catch (err) {
    if (err instanceof PeerFailure) return err.code ?? err.thrown.name;
    throw err;
  }
  return undefined;
}
