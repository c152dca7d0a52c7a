// A receiver's configured integrations as senders. A kind without a sender here (none of
// Alertmanager 0.28's today) is listed so the node logs it at load, and skipped.
import { ConfigError } from '../../core/config-schema.ts';
import type { HttpClientConfig } from '../http-config.ts';
import type { ReceiverExtension } from '../notifier-config.ts';
import { AlertmanagerForwardIntegration } from './alertmanager-forward.ts';
import { HttpTemplateIntegration } from './http-template.ts';
import type { AlertmanagerTemplate } from '../notification-templates.ts';
import type { ReceiverConfig } from '../receiver-config.ts';
import { DiscordIntegration } from './discord.ts';
import { EmailIntegration } from './email.ts';
import { JiraIntegration } from './jira.ts';
import { MsTeamsIntegration } from './msteams.ts';
import { MsTeamsV2Integration } from './msteamsv2.ts';
import { OpsGenieIntegration } from './opsgenie.ts';
import { PagerdutyIntegration } from './pagerduty.ts';
import { PushoverIntegration } from './pushover.ts';
import { SlackIntegration } from './slack.ts';
import { TelegramIntegration } from './telegram.ts';
import type { HttpClients } from './http-client.ts';
import type { Integration } from './integration.ts';
import { VictorOpsIntegration } from './victorops.ts';
import { WebexIntegration } from './webex.ts';
import { RocketchatIntegration } from './rocketchat.ts';
import { SnsIntegration } from './sns.ts';
import { WebhookIntegration } from './webhook.ts';
import { WechatIntegration } from './wechat.ts';

export interface BuiltReceiver {
  readonly name: string;
  readonly integrations: readonly Integration[];
  /** Integration kinds configured for this receiver that this notifier cannot send yet. */
  readonly unsupported: readonly string[];
  /** http_config fields set for this receiver's integrations that this notifier does not apply. */
  readonly notApplied?: readonly string[];
}

const SUPPORTED = new Set(['webhook_configs', 'email_configs', 'slack_configs', 'pagerduty_configs', 'msteams_configs', 'telegram_configs', 'opsgenie_configs', 'discord_configs', 'webex_configs', 'msteamsv2_configs', 'jira_configs', 'victorops_configs', 'pushover_configs', 'wechat_configs', 'sns_configs', 'rocketchat_configs']);

export function buildReceiver(r: ReceiverConfig, httpClients: HttpClients, tmpl: AlertmanagerTemplate, path = `receivers[${JSON.stringify(r.name)}]`): BuiltReceiver {
  const integrations: Integration[] = [];
  const notApplied: string[] = [];
  // Each integration's client, its http_config named by its place in the file.
  const at = (kind: string) => ({
    client: (config: HttpClientConfig | undefined, i: number) => {
      const c = httpClients.client(config, `${path}.${kind}_configs[${i}].http_config`);
      notApplied.push(...(c.notApplied ?? []));
      return c;
    },
  });
  (r.webhook_configs ?? []).forEach((c, i) => integrations.push(new WebhookIntegration(c, i, at('webhook').client(c.http_config, i))));
  (r.email_configs ?? []).forEach((c, i) => integrations.push(new EmailIntegration(c, i, tmpl)));
  (r.slack_configs ?? []).forEach((c, i) => integrations.push(new SlackIntegration(c, i, at('slack').client(c.http_config, i), tmpl)));
  (r.pagerduty_configs ?? []).forEach((c, i) => integrations.push(new PagerdutyIntegration(c, i, at('pagerduty').client(c.http_config, i), tmpl)));
  (r.msteams_configs ?? []).forEach((c, i) => integrations.push(new MsTeamsIntegration(c, i, at('msteams').client(c.http_config, i), tmpl)));
  (r.telegram_configs ?? []).forEach((c, i) => integrations.push(new TelegramIntegration(c, i, at('telegram').client(c.http_config, i), tmpl)));
  (r.opsgenie_configs ?? []).forEach((c, i) => integrations.push(new OpsGenieIntegration(c, i, at('opsgenie').client(c.http_config, i), tmpl)));
  (r.msteamsv2_configs ?? []).forEach((c, i) => integrations.push(new MsTeamsV2Integration(c, i, at('msteamsv2').client(c.http_config, i), tmpl)));
  (r.jira_configs ?? []).forEach((c, i) => integrations.push(new JiraIntegration(c, i, at('jira').client(c.http_config, i), tmpl)));
  (r.victorops_configs ?? []).forEach((c, i) => integrations.push(new VictorOpsIntegration(c, i, at('victorops').client(c.http_config as HttpClientConfig | undefined, i), tmpl)));
  (r.pushover_configs ?? []).forEach((c, i) => integrations.push(new PushoverIntegration(c, i, at('pushover').client(c.http_config as HttpClientConfig | undefined, i), tmpl)));
  (r.discord_configs ?? []).forEach((c, i) => integrations.push(new DiscordIntegration(c, i, at('discord').client(c.http_config as HttpClientConfig | undefined, i), tmpl)));
  (r.webex_configs ?? []).forEach((c, i) => integrations.push(new WebexIntegration(c, i, at('webex').client(c.http_config as HttpClientConfig | undefined, i), tmpl)));
  (r.wechat_configs ?? []).forEach((c, i) => integrations.push(new WechatIntegration(c, i, at('wechat').client(c.http_config as HttpClientConfig | undefined, i), tmpl)));
  (r.sns_configs ?? []).forEach((c, i) => integrations.push(new SnsIntegration(c, i, at('sns').client(c.http_config as HttpClientConfig | undefined, i), tmpl)));
  (r.rocketchat_configs ?? []).forEach((c, i) => integrations.push(new RocketchatIntegration(c, i, at('rocketchat').client(c.http_config as HttpClientConfig | undefined, i), tmpl)));
  const unsupported: string[] = [];
  for (const [key, list] of Object.entries(r)) {
    if (key === 'name' || SUPPORTED.has(key)) continue;
    if (Array.isArray(list) && list.length > 0) unsupported.push(key.replace(/_configs$/, ''));
  }
  return { name: r.name, integrations, unsupported, notApplied };
}

/**
 * The receivers with the notifier file's `receiver_extensions` added after their Alertmanager
 * integrations (http_template, alertmanager). A name the Alertmanager file does not declare is a
 * ConfigError naming it: at start the node does not start, on reload the old file stays.
 */
export function extendReceivers(
  receivers: ReadonlyMap<string, BuiltReceiver>,
  extensions: ReadonlyMap<string, ReceiverExtension>,
  httpClients: HttpClients,
  tmpl: AlertmanagerTemplate,
): Map<string, BuiltReceiver> {
  const out = new Map(receivers);
  for (const [name, ext] of extensions) {
    const path = `receiver_extensions.${name}`;
    const base = receivers.get(name);
    if (base === undefined) throw new ConfigError(path, `no receiver named ${JSON.stringify(name)} in the Alertmanager configuration file`);
    const integrations = [...base.integrations];
    const notApplied = [...(base.notApplied ?? [])];
    const client = (config: HttpClientConfig | undefined, field: string) => {
      const c = httpClients.client(config, field);
      notApplied.push(...(c.notApplied ?? []));
      return c;
    };
    ext.http_template_configs.forEach((c, i) => integrations.push(new HttpTemplateIntegration(c, i, client(c.http_config, `${path}.http_template_configs[${i}].http_config`), tmpl)));
    ext.alertmanager_configs.forEach((c, i) => integrations.push(new AlertmanagerForwardIntegration(c, i, client(c.http_config, `${path}.alertmanager_configs[${i}].http_config`))));
    out.set(name, { ...base, integrations, notApplied });
  }
  return out;
}
