/**
 * `text` safe for Slack's mrkdwn: `&`, `<` and `>` escaped as Slack asks, so text from an alert
 * cannot mention `@channel` (`<!channel>`) or write a link that shows other words than its target.
 * Shared: notify.slack writes messages with it and the runtime's interaction handler rewrites them.
 */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
