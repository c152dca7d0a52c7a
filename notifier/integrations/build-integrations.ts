// A receiver's configured integrations as senders. Kinds without a sender here yet are listed
// so the node logs them at load (Alertmanager would send them; this notifier skips them).
import type { HttpClientConfig } from '../http-config.ts';
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
import { WebhookIntegration } from './webhook.ts';

export interface BuiltReceiver {
  readonly name: string;
  readonly integrations: readonly Integration[];
  /** Integration kinds configured for this receiver that this notifier cannot send yet. */
  readonly unsupported: readonly string[];
}

const SUPPORTED = new Set(['webhook_configs', 'email_configs', 'slack_configs', 'pagerduty_configs', 'msteams_configs', 'telegram_configs', 'opsgenie_configs', 'discord_configs', 'webex_configs', 'msteamsv2_configs', 'jira_configs', 'victorops_configs', 'pushover_configs']);

export function buildReceiver(r: ReceiverConfig, http: HttpClients, tmpl: AlertmanagerTemplate): BuiltReceiver {
  const integrations: Integration[] = [];
  (r.webhook_configs ?? []).forEach((c, i) => integrations.push(new WebhookIntegration(c, i, http.client(c.http_config))));
  (r.email_configs ?? []).forEach((c, i) => integrations.push(new EmailIntegration(c, i, tmpl)));
  (r.slack_configs ?? []).forEach((c, i) => integrations.push(new SlackIntegration(c, i, http.client(c.http_config), tmpl)));
  (r.pagerduty_configs ?? []).forEach((c, i) => integrations.push(new PagerdutyIntegration(c, i, http.client(c.http_config), tmpl)));
  (r.msteams_configs ?? []).forEach((c, i) => integrations.push(new MsTeamsIntegration(c, i, http.client(c.http_config), tmpl)));
  (r.telegram_configs ?? []).forEach((c, i) => integrations.push(new TelegramIntegration(c, i, http.client(c.http_config), tmpl)));
  (r.opsgenie_configs ?? []).forEach((c, i) => integrations.push(new OpsGenieIntegration(c, i, http.client(c.http_config), tmpl)));
  (r.msteamsv2_configs ?? []).forEach((c, i) => integrations.push(new MsTeamsV2Integration(c, i, http.client(c.http_config), tmpl)));
  (r.jira_configs ?? []).forEach((c, i) => integrations.push(new JiraIntegration(c, i, http.client(c.http_config), tmpl)));
  (r.victorops_configs ?? []).forEach((c, i) => integrations.push(new VictorOpsIntegration(c, i, http.client(c.http_config as HttpClientConfig | undefined), tmpl)));
  (r.pushover_configs ?? []).forEach((c, i) => integrations.push(new PushoverIntegration(c, i, http.client(c.http_config as HttpClientConfig | undefined), tmpl)));
  (r.discord_configs ?? []).forEach((c, i) => integrations.push(new DiscordIntegration(c, i, http.client(c.http_config as HttpClientConfig | undefined), tmpl)));
  (r.webex_configs ?? []).forEach((c, i) => integrations.push(new WebexIntegration(c, i, http.client(c.http_config as HttpClientConfig | undefined), tmpl)));
  const unsupported: string[] = [];
  for (const [key, list] of Object.entries(r)) {
    if (key === 'name' || SUPPORTED.has(key)) continue;
    if (Array.isArray(list) && list.length > 0) unsupported.push(key.replace(/_configs$/, ''));
  }
  return { name: r.name, integrations, unsupported };
}
