// The patched record-batch CRC of @platformatic/kafka (deploy/patches/platformatic-kafka-no-request-copies.mjs,
// applied at npm's postinstall): folded over the batch's chunks, it equals the CRC32C of the whole
// batch. The patched request writing is checked by the integration tests against a real broker,
// which refuses a batch whose bytes do not match its CRC (CORRUPT_MESSAGE).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DynamicBuffer } from '@platformatic/dynamic-buffer';
import { describe, expect, it } from 'vitest';

let root = dirname(fileURLToPath(import.meta.resolve('@platformatic/kafka')));
while (!existsSync(join(root, 'package.json'))) root = dirname(root);
const crcModule = (await import(pathToFileURL(join(root, 'dist', 'protocol', 'crc32c.js')).href)) as {
  crc32c: (data: unknown) => number;
  jsCRC32C: (data: Uint8Array) => number;
};

describe('@platformatic/kafka as patched', () => {
  it('is patched', () => {
    expect(readFileSync(join(root, 'dist', 'protocol', 'crc32c.js'), 'utf8')).toContain('ringwatch: deploy/patches/platformatic-kafka-no-request-copies.mjs');
    expect(readFileSync(join(root, 'dist', 'network', 'connection.js'), 'utf8')).toContain('ringwatch: deploy/patches/platformatic-kafka-no-request-copies.mjs');
  });

  it('computes a record batch CRC over its chunks equal to the CRC32C of the joined bytes', () => {
    const chunks = [Buffer.from([1, 2, 3]), Buffer.alloc(0), Buffer.alloc(9473, 7), Buffer.from('a record header'), Buffer.alloc(70_000, 0xa5)];
    const dynamic = new DynamicBuffer();
    for (const c of chunks) if (c.length > 0) dynamic.append(c);
    const whole = Buffer.concat(chunks);
    expect(crcModule.crc32c(dynamic)).toBe(crcModule.jsCRC32C(whole));
    expect(crcModule.crc32c(whole)).toBe(crcModule.jsCRC32C(whole));
    // A known value: CRC32C("123456789") = 0xe3069283.
    const check = new DynamicBuffer();
    check.append(Buffer.from('1234'));
    check.append(Buffer.from('56789'));
    expect(crcModule.crc32c(check)).toBe(0xe3069283);
  });
});
