// Writes the dashboards defined in dashboards/*.ts as JSON into dashboards-json/, the folder the
// Grafana file provider (provisioning/dashboards/ringwatch.yaml) loads. The JSON is generated
// output, committed so Grafana can provision it without Node: run `npm run dashboards` after
// changing a dashboard (a unit test fails while the committed files are stale).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { alerting } from './dashboards/alerting.ts';
import { controlPlane } from './dashboards/control-plane.ts';
import { fleetOverview } from './dashboards/fleet-overview.ts';
import { scrapeDurations } from './dashboards/scrape-durations.ts';
import { storageWriter } from './dashboards/storage-writer.ts';
import { targetHealth } from './dashboards/target-health.ts';

export const DASHBOARDS_JSON_DIR = join(dirname(fileURLToPath(import.meta.url)), 'dashboards-json');

/** File name (without .json) to dashboard. */
export const DASHBOARDS: Readonly<Record<string, () => dashboard.Dashboard>> = {
  'fleet-overview': fleetOverview,
  'target-health': targetHealth,
  'storage-writer': storageWriter,
  alerting,
  'scrape-durations': scrapeDurations,
  'control-plane': controlPlane,
};

/** The JSON text of every dashboard, by file name: what generate writes and the test compares. */
export function renderDashboards(): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, build] of Object.entries(DASHBOARDS)) out.set(`${name}.json`, `${JSON.stringify(build(), null, 2)}\n`);
  return out;
}

export function writeDashboards(dir: string = DASHBOARDS_JSON_DIR): string[] {
  mkdirSync(dir, { recursive: true });
  const rendered = renderDashboards();
  // Dashboards removed from the code must disappear from the folder too.
  for (const file of readdirSync(dir)) if (file.endsWith('.json') && !rendered.has(file)) rmSync(join(dir, file));
  for (const [file, text] of rendered) writeFileSync(join(dir, file), text);
  return [...rendered.keys()];
}

if (import.meta.main) {
  for (const file of writeDashboards()) console.log(`wrote ${join(DASHBOARDS_JSON_DIR, file)}`);
}
