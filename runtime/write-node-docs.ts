// `npm run docs:nodes`: rewrites the generated part of docs/nodes.md from the node definitions.
// nodes/reference-docs.test.ts fails while the file differs from what this writes.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nodeDefinitions } from '../nodes/catalog.js';
import { withGeneratedReference } from '../nodes/reference.js';

// dist/runtime/ → the repository root.
const file = fileURLToPath(new URL('../../docs/nodes.md', import.meta.url));
const before = readFileSync(file, 'utf8');
const after = withGeneratedReference(before, nodeDefinitions);
if (after === before) {
  console.log('docs/nodes.md is up to date');
} else {
  writeFileSync(file, after);
  console.log('docs/nodes.md: node reference rewritten');
}
