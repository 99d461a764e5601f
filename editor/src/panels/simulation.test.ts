import { describe, expect, it } from 'vitest';
import { getNodeDefinition } from '../../../nodes/catalog.js';
import { probeConfig } from './simulation.js';

describe('probeConfig (live previews normalize a sample with it)', () => {
  it('replaces a webhook source’s hook path and auth still being typed', () => {
    expect(probeConfig('source.alertmanager', { path: 'Not A Slug', auth: { type: 'bearer' }, group: true })).toEqual({
      path: 'preview',
      auth: { type: 'none' },
      group: true,
    });
    expect(probeConfig('source.webhook', { path: 'uptime', mapping: { name: 'event.title' } })).toMatchObject({ path: 'uptime', auth: { type: 'none' } });
  });

  it('keeps a schedule or manual source’s config as it is, so it still fits its schema', () => {
    const schedule = { cron: '0 3 * * *', timezone: 'UTC', labels: {}, catchUpSeconds: 3600 };
    expect(probeConfig('source.schedule', schedule)).toEqual(schedule);
    expect(getNodeDefinition('source.schedule')!.configSchema.safeParse(probeConfig('source.schedule', schedule)).success).toBe(true);
    expect(probeConfig('source.manual', {})).toEqual({});
  });
});
