// Fixes, in the installed kafkajs 2.2.4, RequestQueue.scheduleCheckPendingRequests(): with no
// request pending and no throttling (throttledUntil = -1) it still armed a timer with the negative
// delay `throttledUntil - Date.now()`, whose callback calls it again: every broker connection of
// every consumer and admin ran a 1 ms timer loop for its whole life (kafkajs issues #1556, #1604,
// #1704; PR #1667 unmerged). On Node 24 it also printed a TimeoutNegativeWarning at start. The
// storage-writer spent a third of its CPU on that loop and the collections of its garbage
// (docs/benchmarks.md). Fixed: a timer only while something is pending (a push that cannot be sent
// arms it; a fulfilled or timed-out request checks the queue itself), after the throttle or
// kafkajs' 10 ms poll. kafkajs has no release with a fix; this runs as npm's postinstall
// (package.json), is idempotent, also upgrades an install with this file's first version (which
// only clamped the delay), and fails loudly if kafkajs changed, so a version bump makes someone
// check whether the patch is still needed.
// Plain .mjs (no types): npm may run postinstall with whatever `node` is first on the PATH.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const file = join(dirname(require.resolve('kafkajs/package.json')), 'src', 'network', 'requestQueue', 'index.js');

const head = `    let scheduleAt = this.throttledUntil - Date.now()
    if (!this.throttleCheckTimeoutId) {
      if (this.pending.length > 0) {
        scheduleAt = scheduleAt > 0 ? scheduleAt : CHECK_PENDING_REQUESTS_INTERVAL
      }
      this.throttleCheckTimeoutId = setTimeout(() => {
        this.throttleCheckTimeoutId = null
        this.checkPendingRequests()
      }, `;
const original = `${head}scheduleAt)
    }`;
const clamped = `${head}Math.max(0, scheduleAt)) // ringwatch: deploy/patches/kafkajs-negative-timeout.mjs
    }`;
const patched = `    // ringwatch: deploy/patches/kafkajs-request-queue-timer.mjs (no timer loop while nothing is pending)
    if (this.pending.length === 0 || this.throttleCheckTimeoutId) return
    const untilUnthrottled = this.throttledUntil - Date.now()
    this.throttleCheckTimeoutId = setTimeout(() => {
      this.throttleCheckTimeoutId = null
      this.checkPendingRequests()
    }, untilUnthrottled > 0 ? untilUnthrottled : CHECK_PENDING_REQUESTS_INTERVAL)`;

const text = readFileSync(file, 'utf8');
if (text.includes(patched)) process.exit(0);
const once = (s) => {
  const at = text.indexOf(s);
  return at !== -1 && text.indexOf(s, at + 1) === -1;
};
const found = once(original) ? original : once(clamped) ? clamped : undefined;
if (found === undefined) {
  console.error(`kafkajs-request-queue-timer: ${file} does not contain the code this patch fixes (kafkajs upgraded?): check whether the patch is still needed`);
  process.exit(1);
}
writeFileSync(file, text.replace(found, patched));
console.log('kafkajs-request-queue-timer: patched kafkajs RequestQueue (a timer only while requests are pending)');
