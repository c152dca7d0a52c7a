// static_configs: the groups are the configuration itself, reported once.
import type { StaticConfig } from '../model/scrape-config.ts';
import type { TargetGroup } from './target-group.ts';
import type { Discoverer } from './discoverer.ts';

export function staticGroups(configs: readonly StaticConfig[]): TargetGroup[] {
  return configs.map((c, i) => ({ targets: [...c.targets], labels: { ...c.labels }, source: `static:${i}` }));
}

export class StaticDiscoverer implements Discoverer {
  readonly mechanism = 'static' as const;
  private readonly groups: TargetGroup[];

  constructor(configs: readonly StaticConfig[]) {
    this.groups = staticGroups(configs);
  }

  start(update: (groups: TargetGroup[]) => void): void {
    update(this.groups);
  }

  async stop(): Promise<void> {}
}
