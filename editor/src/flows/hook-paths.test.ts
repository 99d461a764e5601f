import { describe, expect, it } from 'vitest';
import { hookPaths } from './hook-paths.js';

describe('hookPaths', () => {
  it('lists each source path once', () => {
    const nodes = [
      { id: 'am', type: 'source.alertmanager', config: { path: 'infra' } },
      { id: 'wh', type: 'source.webhook', config: { path: 'uptime' } },
      { id: 'am2', type: 'source.alertmanager', config: { path: 'infra' } },
      { id: 'clean', type: 'action.http', config: { path: 'not-a-hook' } },
      { id: 'aws', type: 'source.cloudwatch', config: { path: 'aws' } },
    ];
    expect(hookPaths({ nodes })).toEqual(['/hooks/infra', '/hooks/uptime', '/hooks/aws']);
  });

  it('asks each node type whether it takes webhooks: a schedule or a manual run has no hook path, whatever its config says', () => {
    const nodes = [
      { id: 'tick', type: 'source.schedule', config: { cron: '* * * * *', path: 'stray' } },
      { id: 'hand', type: 'source.manual', config: { path: 'stray' } },
      { id: 'typing', type: 'source.alertmanager', config: { path: '' } },
      { id: 'gone', type: 'source.removed', config: { path: 'old' } },
    ];
    expect(hookPaths({ nodes })).toEqual([]);
  });
});
