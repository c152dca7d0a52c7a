// The Alertmanager configuration file as the running notifier uses it: read and validated
// (loadAlertmanagerConfig), then turned into the route tree, inhibit rules, named time intervals
// and receivers with their senders. A reload builds a new one and swaps it in only when valid.
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../core/config-schema.ts';
import { loadAlertmanagerConfig, timeIntervalsByName, type AlertmanagerConfig } from './alertmanager-config.ts';
import { inhibitRuleFromConfig, type InhibitRule } from './inhibitor.ts';
import { buildReceiver, type BuiltReceiver } from './integrations/build-integrations.ts';
import type { HttpClients } from './integrations/http-client.ts';
import { loadNotificationTemplates, templateSyntaxError, type AlertmanagerTemplate } from './notification-templates.ts';
import { buildRouteTree, type Route } from './route.ts';
import type { TimeInterval } from './time-interval.ts';

export interface LoadedAlertmanagerConfig {
  readonly path: string;
  readonly config: AlertmanagerConfig;
  /** Template globs resolved against the config file's directory. */
  readonly templateGlobs: readonly string[];
  readonly templates: AlertmanagerTemplate;
  readonly route: Route;
  readonly inhibitRules: readonly InhibitRule[];
  readonly timeIntervals: ReadonlyMap<string, readonly TimeInterval[]>;
  readonly receivers: ReadonlyMap<string, BuiltReceiver>;
  readonly loadedAtMs: number;
}

export async function loadAlertmanagerFile(path: string, http: HttpClients, externalUrl: string, nowMs: number = Date.now()): Promise<LoadedAlertmanagerConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError('alertmanager_config', `cannot read ${path}: ${(err as Error).message}`);
  }
  let config: AlertmanagerConfig;
  try {
    config = loadAlertmanagerConfig(text, { validateTemplate: templateSyntaxError });
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(`alertmanager_config (${path}): ${err.field}`, err.message.slice(err.field.length + 2));
    throw err;
  }
  const base = dirname(resolve(path));
  const templateGlobs = config.templates.map((g) => (isAbsolute(g) ? g : resolve(base, g)));
  let templates: AlertmanagerTemplate;
  try {
    templates = await loadNotificationTemplates(templateGlobs, externalUrl);
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(`alertmanager_config (${path}): ${err.field}`, err.message.slice(err.field.length + 2));
    throw err;
  }
  const receivers = new Map<string, BuiltReceiver>();
  config.receivers.forEach((r, i) => receivers.set(r.name, buildReceiver(r, http, templates, `receivers[${i}]`)));
  return {
    path,
    config,
    templateGlobs,
    templates,
    route: buildRouteTree(config.route),
    inhibitRules: config.inhibit_rules.map(inhibitRuleFromConfig),
    timeIntervals: timeIntervalsByName(config),
    receivers,
    loadedAtMs: nowMs,
  };
}
