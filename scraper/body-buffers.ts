// Body buffers shared by a node's targets (per thread): a scrape holds one only from its response
// until its body is parsed, so a node needs about as many as it has scrapes in flight, not one per
// target. Last in, first out, so the buffers in use stay warm and few.

const INITIAL_BODY_BUFFER = 64 * 1024;
/** Buffers above this size are not kept: one huge target should not pin its body for good. */
const MAX_POOLED_BUFFER = 16 * 1024 * 1024;
const MAX_POOLED_BUFFERS = 64;

const bodyBuffers: Buffer[] = [];

export function takeBodyBuffer(): Buffer {
  return bodyBuffers.pop() ?? Buffer.allocUnsafeSlow(INITIAL_BODY_BUFFER);
}

export function giveBackBodyBuffer(buffer: Buffer): void {
  if (buffer.length <= MAX_POOLED_BUFFER && bodyBuffers.length < MAX_POOLED_BUFFERS) bodyBuffers.push(buffer);
}

/**
 * A larger buffer holding buffer's first `used` bytes, for a body that needs `needed`: doubling,
 * never past limit (the body size limit, checked by the caller before).
 */
export function grownBodyBuffer(buffer: Buffer, used: number, needed: number, limit: number): Buffer {
  let size = buffer.length * 2;
  while (size < needed) size *= 2;
  const next = Buffer.allocUnsafeSlow(Math.min(size, Math.max(needed, limit)));
  buffer.copy(next, 0, 0, used);
  return next;
}
