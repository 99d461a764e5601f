import { describe, expect, it } from 'vitest';
import { nodeDefinitions } from '../../../nodes/catalog.js';
import type { NodeDefinition } from '../../../nodes/definition.js';
import { pathKey } from './config-paths.js';
import { isTemplateAt, templatePathsFor } from './template-paths.js';

const defOf = (type: string) => nodeDefinitions.find((d) => d.type === type) as unknown as NodeDefinition;

describe('template paths from the definition', () => {
  it('lists the template strings of a valid config', () => {
    const paths = templatePathsFor(defOf('action.shell'), { command: ['systemctl', 'restart', '{{ alert.labels.service }}'], env: { HOST: '{{ alert.labels.instance }}' } });
    expect(paths).toEqual(new Set([pathKey(['command', 2]), pathKey(['env', 'HOST'])]));
  });
  it('still reads an incomplete config', () => {
    const paths = templatePathsFor(defOf('action.http'), { headers: { 'X-Host': '{{ alert.labels.instance }}' } });
    expect(paths?.has(pathKey(['headers', 'X-Host']))).toBe(true);
  });
  it('is null when the definition cannot read the config', () => {
    expect(templatePathsFor(defOf('source.webhook'), {})).toBeNull();
  });
  it('treats only template positions as templates (any {{ when unknown)', () => {
    const paths = new Set([pathKey(['command', 2])]);
    expect(isTemplateAt(paths, ['command', 2], '{{ x }}')).toBe(true);
    expect(isTemplateAt(paths, ['auth', 'username'], '{{ x }}')).toBe(false);
    expect(isTemplateAt(paths, ['command', 2], 'plain')).toBe(false);
    expect(isTemplateAt(null, ['anything'], '{{ x }}')).toBe(true);
  });
});
