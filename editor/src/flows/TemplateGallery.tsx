import { useState } from 'react';
import { ArrowRight, Search } from 'lucide-react';
import { flowTemplates, type FlowTemplate } from '../../../shared/templates/index.js';
import { Dialog } from '../ui/Dialog.js';
import { filterTemplates, splitDescription, templateChain } from './template-cards.js';

/**
 * "New from template": the ready remediations, each with what it does, what to set before
 * enabling it and its chain of steps. Choosing one opens a new, unsaved flow made from it.
 */
export function TemplateGallery({ onChoose, onClose }: { onChoose: (template: FlowTemplate) => void; onClose: () => void }) {
  const [query, setQuery] = useState('');
  const shown = filterTemplates(flowTemplates, query);
  return (
    <Dialog title="New flow from a template" onClose={onClose} wide testId="template-gallery">
      <p className="muted template-intro">
        Each template is a disabled flow with a sample alert. It opens in the editor with the Test tab ready: run the test, set what the description
        names, then save and enable it.
      </p>
      <div className="flow-search template-search">
        <Search size={15} className="flow-search-icon" aria-hidden="true" />
        <input
          type="search"
          value={query}
          placeholder="Search: disk, restart, grafana…"
          aria-label="Search templates"
          onChange={(e) => setQuery(e.target.value)}
          data-testid="template-search"
        />
      </div>
      {shown.length === 0 && <p className="muted">No template mentions “{query.trim()}”.</p>}
      <ul className="template-cards">
        {shown.map((t) => (
          <TemplateCard key={t.id} template={t} onChoose={() => onChoose(t)} />
        ))}
      </ul>
    </Dialog>
  );
}

function TemplateCard({ template, onChoose }: { template: FlowTemplate; onChoose: () => void }) {
  const chain = templateChain(template);
  const { does, setup } = splitDescription(template.description);
  return (
    <li className="template-card" data-testid={`template-${template.id}`}>
      <h3>{template.title}</h3>
      <p className="template-chain">
        <span className="template-source">{chain.source}</span>
        {chain.steps.map((step, i) => (
          <span key={i} className="template-step">
            <ArrowRight size={13} aria-hidden="true" /> {step}
          </span>
        ))}
        {chain.more > 0 && <span className="muted"> (+{chain.more === 1 ? '1 more step' : `${chain.more} more steps`})</span>}
      </p>
      <p className="template-description">{does}</p>
      {setup && (
        <p className="template-description template-setup">
          <strong>Before enabling:</strong> {setup}
        </p>
      )}
      <p className="small muted template-sample">Sample alert: {template.sample.name}</p>
      <div className="template-foot">
        <span className="template-tags">
          {template.tags.map((tag) => (
            <span key={tag} className="template-tag">
              {tag}
            </span>
          ))}
        </span>
        <button type="button" className="primary" onClick={onChoose} data-testid={`template-use-${template.id}`} aria-label={`Use template: ${template.title}`}>
          Use template
        </button>
      </div>
    </li>
  );
}
