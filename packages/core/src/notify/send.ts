import type { Logger } from '../log/logger.js';
import { EVENT_KEYS, type Channel, type NotificationsConfig } from './config.js';
import { deliver, type DeliveryOptions, type DeliveryResult } from './deliver.js';
import type { Notification } from './message.js';

/** A channel as the console names it: its kind and place in the config, never its URL. */
export function channelLabel(channel: Channel, event: Notification['event'], index: number): string {
  return `${channel.kind} (${EVENT_KEYS[event]}[${index}])`;
}

/**
 * Send `n` to every channel configured for its event, one after the other. A delivery that fails
 * is a warning (without URL or header values), never an error: the caller's result stands.
 */
export async function sendNotification(config: NotificationsConfig | undefined, n: Notification, logger: Logger, o: DeliveryOptions = {}): Promise<DeliveryResult[]> {
  const channels = config?.on[n.event] ?? [];
  const out: DeliveryResult[] = [];
  for (const [i, channel] of channels.entries()) {
    const label = channelLabel(channel, n.event, i);
    const r = await deliver(channel, n, config!, o);
    out.push(r);
    const data = { event: n.event, channel: channel.kind, index: i, attempts: r.attempts, run_id: n.runId };
    if (r.ok) {
      logger.info(`Sent the ${n.event} notification to ${label}${r.attempts > 1 ? ` (attempt ${r.attempts})` : ''}`, 'notification_sent', data);
    } else if (r.skipped) {
      logger.warn(`Did not send the ${n.event} notification to ${label}: ${r.error}`, 'notification_failed', { ...data, error: r.error ?? null });
    } else {
      logger.warn(
        `Could not send the ${n.event} notification to ${label}: ${r.error} (${r.attempts} attempt${r.attempts === 1 ? '' : 's'}); the result of the command is unchanged`,
        'notification_failed',
        { ...data, error: r.error ?? null },
      );
    }
  }
  return out;
}
