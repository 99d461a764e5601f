import { describe, expect, it } from 'vitest';
import type { Alert } from '../alert/schema.js';
import { ExpressionError } from './errors.js';
import { checkTemplate, hasTemplate, renderTemplate } from './template.js';

const alert = { name: 'DiskFull', labels: { instance: 'db1:9100', service: 'postgresql' } } as unknown as Alert;

describe('templates', () => {
  it('renders each {{ }} part once, as text', () => {
    expect(renderTemplate('http://{{ alert.labels.instance }}/cleanup', { alert })).toBe('http://db1:9100/cleanup');
    expect(renderTemplate('{{alert.name}}-{{ 1 + 1 }}-{{ true }}-{{ null }}', { alert })).toBe('DiskFull-2-true-');
    expect(renderTemplate('{{ steps.a }}', { steps: { a: { ok: true, n: [1, 2] } } })).toBe('{"ok":true,"n":[1,2]}');
    expect(renderTemplate('no templates here', {})).toBe('no templates here');
  });

  it('never evaluates alert data a second time', () => {
    const hostile = { ...alert, labels: { service: '{{ alert.name }}', shell: '$(id); rm -rf /' } } as unknown as Alert;
    expect(renderTemplate('restart {{ alert.labels.service }}', { alert: hostile })).toBe('restart {{ alert.name }}');
    expect(renderTemplate('{{ alert.labels.shell }}', { alert: hostile })).toBe('$(id); rm -rf /');
  });

  it('finds errors with offsets into the template', () => {
    expect(checkTemplate('ok {{ alert.name }}')).toEqual([]);
    const [issue] = checkTemplate('x {{ alrt.x }} y');
    expect(issue!.message).toMatch(/Unknown variable: alrt/);
    expect(issue!.offset).toBe(5);
    expect(checkTemplate('{{ 1')[0]!.message).toMatch(/never closed/);
    expect(checkTemplate('a }} b')[0]!.message).toMatch(/without a matching/);
  });

  it('names the failing part when rendering fails', () => {
    expect(() => renderTemplate('{{ alert.labels.region }}', { alert })).toThrow(ExpressionError);
    expect(() => renderTemplate('{{ alert.labels.region }}', { alert })).toThrow(/alert.labels.region/);
  });

  it('detects templates', () => {
    expect(hasTemplate('a {{ b }}')).toBe(true);
    expect(hasTemplate('plain')).toBe(false);
  });
});
