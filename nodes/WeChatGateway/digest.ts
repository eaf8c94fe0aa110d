import { createHash } from 'node:crypto';

/**
 * A short, fixed-length name for a long key (an account, a run, a sent message's place): the
 * first 128 bits of its SHA-256 in hex. The Redis store names its keys with it, and the sent
 * memory's keys are digests already when they reach a store, so both stores hold short keys
 * and a Redis written by one release is read by the next.
 */
export function keyDigest(text: string): string {
	return createHash('sha256').update(text).digest('hex').slice(0, 32);
}
