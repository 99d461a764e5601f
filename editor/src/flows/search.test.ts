import { describe, expect, it } from 'vitest';
import { filterFlows, sortFlows } from './search.js';

const flows = [
  { id: 'disk-full', name: 'Disk full: clean up' },
  { id: 'cpu-high', name: 'CPU high' },
  { id: 'db-restart', name: 'Postgres restart' },
];

describe('filterFlows', () => {
  it('matches name or id, ignoring case and surrounding spaces', () => {
    expect(filterFlows(flows, 'DISK').map((f) => f.id)).toEqual(['disk-full']);
    expect(filterFlows(flows, 'cpu').map((f) => f.id)).toEqual(['cpu-high']);
    expect(filterFlows(flows, 'db-').map((f) => f.id)).toEqual(['db-restart']);
    expect(filterFlows(flows, ' postgres ').map((f) => f.id)).toEqual(['db-restart']);
    expect(filterFlows(flows, 'restart').map((f) => f.id)).toEqual(['db-restart']);
    expect(filterFlows(flows, '')).toHaveLength(3);
    expect(filterFlows(flows, 'nothing')).toEqual([]);
  });
});

describe('sortFlows', () => {
  it('sorts by name, then id', () => {
    expect(sortFlows([...flows, { id: 'a-cpu', name: 'cpu high' }]).map((f) => f.id)).toEqual(['a-cpu', 'cpu-high', 'disk-full', 'db-restart']);
  });
});
