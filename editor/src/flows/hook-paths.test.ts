import { describe, expect, it } from 'vitest';
import { hookPaths } from './hook-paths.js';

describe('hookPaths', () => {
  it('lists each source path once', () => {
    const nodes = [
      { id: 'am', type: 'source.alertmanager', config: { path: 'infra' } },
      { id: 'wh', type: 'source.webhook', config: { path: 'uptime' } },
      { id: 'am2', type: 'source.alertmanager', config: { path: 'infra' } },
      { id: 'clean', type: 'action.http', config: { path: 'not-a-hook' } },
    ];
    expect(hookPaths({ nodes })).toEqual(['/hooks/infra', '/hooks/uptime']);
  });
});
