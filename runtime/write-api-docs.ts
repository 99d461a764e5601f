// `npm run docs:api`: rewrites the generated permission matrix in docs/api.md from the route table.
// runtime/http/api-docs.test.ts fails while the file differs from what this writes.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { withGeneratedRouteMatrix } from './http/api-docs.js';

// dist/runtime/ → the repository root.
const file = fileURLToPath(new URL('../../docs/api.md', import.meta.url));
const before = readFileSync(file, 'utf8');
const after = withGeneratedRouteMatrix(before);
if (after === before) {
  console.log('docs/api.md is up to date');
} else {
  writeFileSync(file, after);
  console.log('docs/api.md: route permission matrix rewritten');
}
