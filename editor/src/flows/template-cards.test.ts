import { describe, expect, it } from 'vitest';
import { flowTemplates, getFlowTemplate } from '../../../shared/templates/index.js';
import { filterTemplates, splitDescription, templateChain } from './template-cards.js';

describe('template cards', () => {
  it('chain: the source type, then the labels of the steps the sample takes, and how many others', () => {
    expect(templateChain(getFlowTemplate('backup-failed-retry')!)).toEqual({ source: 'Alertmanager', steps: ['Backup failed?', 'Run the backup again'], more: 3 });
  });

  it('every description says what to set before enabling, and the card splits it there', () => {
    for (const t of flowTemplates) {
      const { does, setup } = splitDescription(t.description);
      expect(does.length, t.id).toBeGreaterThan(40);
      expect(setup.length, t.id).toBeGreaterThan(20);
    }
    expect(splitDescription('Does a thing.')).toEqual({ does: 'Does a thing.', setup: '' });
  });

  it('search matches every word in the title, description, tags or source, in any case', () => {
    expect(filterTemplates(flowTemplates, 'KUBERNETES restart').map((t) => t.id)).toEqual(['k8s-crashloop-restart']);
    expect(filterTemplates(flowTemplates, 'nagios').map((t) => t.id)).toEqual(['service-down-restart']);
    expect(filterTemplates(flowTemplates, '  ')).toHaveLength(flowTemplates.length);
    expect(filterTemplates(flowTemplates, 'no-such-word')).toEqual([]);
  });
});
