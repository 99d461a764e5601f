import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nodeDefinitions } from './catalog.js';
import { withGeneratedReference } from './reference.js';

describe('docs/nodes.md', () => {
  it('holds the node reference generated from the definitions', () => {
    const doc = readFileSync(new URL('../docs/nodes.md', import.meta.url), 'utf8');
    const generated = withGeneratedReference(doc, nodeDefinitions);
    // A plain boolean first, so the failure says what to do rather than only showing a diff.
    if (doc !== generated) {
      expect.fail('docs/nodes.md differs from the node definitions: run `npm run docs:nodes` and commit docs/nodes.md');
    }
  });
});
