// The VictorOps (Splunk On-Call) integration (notify/victorops): one incident per group
// (entity_id = the group key's hash), CRITICAL (or the configured type) while firing, RECOVERY
// once resolved, posted to <api_url><api_key>/<routing_key>.
import type { Alert } from '../alert.ts';
import type { ConfigValue } from '../config-fields.ts';
import { groupKeyHash, groupStatus, secretValue, truncateRunes } from './http-json.ts';
import type { NotifyContext } from './integration.ts';
import { JsonHttpIntegration, type JsonRequest } from './json-http-integration.ts';

const ALLOWED_FIRING_TYPES = new Set(['INFO', 'WARNING', 'CRITICAL']);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export class VictorOpsIntegration extends JsonHttpIntegration<ConfigValue> {
  readonly kind = 'victorops';

  request(ctx: NotifyContext, alerts: readonly Alert[]): JsonRequest & { body: Record<string, string> } {
    const c = this.config;
    const { text } = this.expand(ctx, alerts);
    const resolved = groupStatus(alerts, ctx.nowMs) === 'resolved';
    let messageType = text(str(c.message_type));
    if (!resolved && !ALLOWED_FIRING_TYPES.has(messageType)) messageType = 'CRITICAL';
    if (resolved) messageType = 'RECOVERY';
    const body: Record<string, string> = {
      message_type: messageType,
      entity_id: groupKeyHash(ctx.groupKey),
      entity_display_name: text(str(c.entity_display_name)),
      state_message: truncateRunes(text(str(c.state_message)), 20_480),
      monitoring_tool: text(str(c.monitoring_tool)),
    };
    for (const [k, v] of Object.entries((c.custom_fields as Record<string, string> | undefined) ?? {})) body[k] = text(v);
    const apiKey = secretValue('victorops', 'api_key_file', str(c.api_key), str(c.api_key_file));
    return { url: `${str(c.api_url) ?? ''}${apiKey}/${text(str(c.routing_key))}`, body };
  }

}
