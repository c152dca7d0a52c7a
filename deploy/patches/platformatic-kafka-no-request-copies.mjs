// Two copies of every produce request that the installed @platformatic/kafka 2.12 makes, removed:
// - the record batch's CRC32C, computed by @node-rs/crc32 over `DynamicBuffer.buffer`, which
//   concatenates the batch's chunks into one new Buffer first: now folded chunk by chunk
//   (crc32c(chunk, state));
// - the request written to the socket as `writer.buffer`, a second concatenation: now its chunks
//   are written corked (one writev), runs of small chunks (record headers) joined, large ones
//   (record values) as they are.
// Both copies were ArrayBuffers outside V8's heap, about 2 x 380 KB per request of the scraper's
// at the bench's rate, dead at once and freed only by the next mark-compact: with the scraper's
// own values reused (scraper/message-buffers.ts) they were what was left of its memory churn
// (docs/benchmarks.md). The record values stay referenced by the socket until written; the
// scraper gives a value back only once its request was answered, that is written whole.
// Runs as npm's postinstall (package.json), idempotent, and fails loudly if the client changed,
// so a version bump makes someone check whether the patch is still needed or still right.
// Plain .mjs (no types): npm may run postinstall with whatever `node` is first on the PATH.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The package exports no package.json: from its entry point up to its root.
let root = dirname(fileURLToPath(import.meta.resolve('@platformatic/kafka')));
while (!existsSync(join(root, 'package.json'))) root = dirname(root);
const MARK = '// ringwatch: deploy/patches/platformatic-kafka-no-request-copies.mjs';

const edits = [
  {
    file: join(root, 'dist', 'protocol', 'crc32c.js'),
    from: `        return function nativeCRC32C(data) {
            const bytes = DynamicBuffer.isDynamicBuffer(data)`,
    to: `        return function nativeCRC32C(data) {
            ${MARK}
            if (DynamicBuffer.isDynamicBuffer(data)) {
                let state = 0;
                for (const chunk of data.buffers) state = nativeImplementation(chunk, state);
                return state;
            }
            const bytes = DynamicBuffer.isDynamicBuffer(data)`,
  },
  {
    file: join(root, 'dist', 'network', 'connection.js'),
    from: `                        payload: writer.buffer,`,
    to: `                        payload: ringwatchChunks(writer.dynamicBuffer), ${MARK}`,
  },
  {
    file: join(root, 'dist', 'network', 'connection.js'),
    from: `            let canWrite = this.#socket.write(request.payload);`,
    to: `            let canWrite;
            if (Array.isArray(request.payload)) {
                ${MARK}
                this.#socket.cork();
                for (const chunk of request.payload) canWrite = this.#socket.write(chunk);
                this.#socket.uncork();
            }
            else {
                canWrite = this.#socket.write(request.payload);
            }`,
  },
  {
    file: join(root, 'dist', 'network', 'connection.js'),
    from: `export class Connection extends TypedEventEmitter {`,
    to: `${MARK}
// A request's chunks as written: one Buffer when it has one chunk, else runs of chunks under 1 KiB
// joined (headers, varints) and larger ones (record values) left as they are, by reference.
function ringwatchChunks(dynamicBuffer) {
    const buffers = dynamicBuffer.buffers;
    if (buffers.length === 1) return buffers[0];
    const out = [];
    let run = [];
    let runLength = 0;
    for (const chunk of buffers) {
        if (chunk.length < 1024) {
            run.push(chunk);
            runLength += chunk.length;
            continue;
        }
        if (run.length > 0) out.push(run.length === 1 ? run[0] : Buffer.concat(run, runLength));
        run = [];
        runLength = 0;
        out.push(chunk);
    }
    if (run.length > 0) out.push(run.length === 1 ? run[0] : Buffer.concat(run, runLength));
    return out.length === 1 ? out[0] : out;
}
export class Connection extends TypedEventEmitter {`,
  },
];

const texts = new Map();
for (const e of edits) if (!texts.has(e.file)) texts.set(e.file, readFileSync(e.file, 'utf8'));
let changed = false;
for (const e of edits) {
  const text = texts.get(e.file);
  if (text.includes(e.to)) continue;
  const at = text.indexOf(e.from);
  if (at === -1 || text.indexOf(e.from, at + 1) !== -1) {
    console.error(`platformatic-kafka-no-request-copies: ${e.file} does not contain the code this patch changes (@platformatic/kafka upgraded?): check whether the patch is still needed`);
    process.exit(1);
  }
  texts.set(e.file, text.replace(e.from, e.to));
  changed = true;
}
if (changed) {
  for (const [file, text] of texts) writeFileSync(file, text);
  console.log('platformatic-kafka-no-request-copies: patched @platformatic/kafka (no copies of produce requests)');
}
