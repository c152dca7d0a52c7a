// Notification texts through Alertmanager's templates (template/): default.tmpl and email.tmpl,
// then the configuration's `templates:` files (globs resolved against the config file's
// directory), executed per receiver field in text or HTML mode as Alertmanager does.
import { glob, readFile } from 'node:fs/promises';
import { ConfigError } from '../core/config-schema.ts';
import { AlertmanagerTemplate, defaultFuncs, type Data } from '../template/alertmanager-functions.ts';
import { compile } from '../template/template.ts';
import type { Alert } from './alert.ts';
import type { LabelSet } from './labels.ts';

export type { AlertmanagerTemplate, Data } from '../template/alertmanager-functions.ts';

/** Parses every file the globs match, after the defaults; a bad file is a ConfigError naming it. */
export async function loadNotificationTemplates(globs: readonly string[], externalUrl: string): Promise<AlertmanagerTemplate> {
  const tmpl = new AlertmanagerTemplate({ externalURL: externalUrl });
  for (const [i, pattern] of globs.entries()) {
    const files: string[] = [];
    for await (const f of glob(pattern)) files.push(f);
    for (const file of files.sort()) {
      try {
        tmpl.parse(file, await readFile(file, 'utf8'));
      } catch (err) {
        throw new ConfigError(`templates[${i}]`, `${file}: ${(err as Error).message}`);
      }
    }
  }
  return tmpl;
}

/** The loader's validateTemplate hook: a receiver field that does not parse names the error. */
export function templateSyntaxError(text: string): string | undefined {
  try {
    compile(text, { funcs: { ...defaultFuncs, routeLabels: () => '' } });
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** template.Data for one notification. */
export function notificationData(tmpl: AlertmanagerTemplate, receiver: string, groupLabels: LabelSet, alerts: readonly Alert[], nowMs: number): Data {
  return tmpl.data({
    receiver,
    groupLabels: { ...groupLabels },
    alerts: alerts.map((a) => ({
      labels: { ...a.labels },
      annotations: { ...a.annotations },
      startsAt: new Date(a.startsAtMs),
      ...(a.endsAtMs !== 0 && a.endsAtMs <= nowMs ? { endsAt: new Date(a.endsAtMs) } : {}),
      generatorURL: a.generatorURL,
    })),
    now: new Date(nowMs),
  });
}
