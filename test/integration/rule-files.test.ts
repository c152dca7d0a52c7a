// Every rule file Ringwatch ships or shows as an example is valid for Prometheus itself: promtool
// (Debian's prometheus package, installed by deploy/local/install.sh) checks each one, and
// Ringwatch's own loader accepts the same files.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRuleFiles } from '../../alerting/rule-file.ts';
import { repoRoot } from '../../deploy/local/services/install-locations.ts';

const SHIPPED = [
  ...readdirSync(join(repoRoot(), 'deploy/local/config/rules')).map((f) => join('deploy/local/config/rules', f)),
  'alerting/testdata/example-rules.yml',
];

describe('shipped rule files', () => {
  it.each(SHIPPED)('%s passes promtool check rules and loads in Ringwatch', (file) => {
    const path = join(repoRoot(), file);
    const out = execFileSync('promtool', ['check', 'rules', path], { encoding: 'utf8' });
    expect(out).toMatch(/SUCCESS: \d+ rules found/);
    const groups = loadRuleFiles([{ path, text: readFileSync(path, 'utf8') }]);
    expect(groups.length).toBeGreaterThan(0);
  });
});
