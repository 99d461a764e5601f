import { describe, expect, it } from 'vitest';
import { buildBundle, bundleFileName, exportText, flowFileName } from './bundle.js';

describe('export files', () => {
  it('writes what `salve export --all` writes', () => {
    const flows = [{ id: 'a', nodes: [] }, { id: 'b' }];
    const text = exportText(buildBundle(flows));
    expect(text).toBe(`${JSON.stringify({ flows }, null, 2)}\n`);
    expect(JSON.parse(text)).toEqual({ flows });
  });

  it('copies the list rather than sharing it', () => {
    const flows = [{ id: 'a' }];
    const bundle = buildBundle(flows);
    flows.push({ id: 'b' });
    expect(bundle.flows).toHaveLength(1);
  });

  it('names files by flow id and by day', () => {
    expect(flowFileName('disk-full')).toBe('disk-full.json');
    expect(bundleFileName(new Date(2026, 2, 4, 23, 59))).toBe('salve-flows-2026-03-04.json');
  });
});
