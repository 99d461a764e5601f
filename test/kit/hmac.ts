import { createHmac } from 'node:crypto';

/**
 * HMAC-SHA256 of `data` with `secret`, hex: the signature the sending tools compute (Grafana,
 * Zabbix over `<timestamp>:<body>`, PagerDuty as `v1=<hex>`). Tests build their headers with it.
 */
export function hmacSha256Hex(secret: string, data: string | Uint8Array): string {
  return createHmac('sha256', secret).update(data).digest('hex');
}

/** PagerDuty's `X-PagerDuty-Signature` value for `body` signed with `secret`: `v1=<hex>`. */
export function pagerDutySignature(secret: string, body: string | Uint8Array): string {
  return `v1=${hmacSha256Hex(secret, body)}`;
}
