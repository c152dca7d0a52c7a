// Fixes, in the installed kafkajs 2.2.4, the cause of the `TimeoutNegativeWarning` every node
// printed at start on Node 24: RequestQueue.scheduleCheckPendingRequests() computes
// `throttledUntil - Date.now()` with throttledUntil = -1 (not throttled) and, when no request is
// pending, passes that negative delay to setTimeout. Node treats any delay below 1 as 1 ms, so
// clamping it at 0 changes nothing but the warning. kafkajs has no release with a fix; this runs
// as npm's postinstall (package.json), is idempotent, and fails loudly if kafkajs changed, so a
// version bump makes someone check whether the patch is still needed.
// Plain .mjs (no types): npm may run postinstall with whatever `node` is first on the PATH.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const file = join(dirname(require.resolve('kafkajs/package.json')), 'src', 'network', 'requestQueue', 'index.js');
const original = `        this.checkPendingRequests()
      }, scheduleAt)`;
const patched = `        this.checkPendingRequests()
      }, Math.max(0, scheduleAt)) // ringwatch: deploy/patches/kafkajs-negative-timeout.mjs`;

const text = readFileSync(file, 'utf8');
if (text.includes(patched)) {
  process.exit(0);
}
const at = text.indexOf(original);
if (at === -1 || text.indexOf(original, at + 1) !== -1) {
  console.error(`kafkajs-negative-timeout: ${file} does not contain the code this patch fixes (kafkajs upgraded?): check whether the patch is still needed`);
  process.exit(1);
}
writeFileSync(file, text.replace(original, patched));
console.log('kafkajs-negative-timeout: patched kafkajs RequestQueue (no negative setTimeout delay)');
