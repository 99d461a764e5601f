import { it } from 'vitest';
import { checkCel, evaluateCel } from './index.js';
it('x', () => {
  const scope = { steps: new Map(), nodeIds: new Set(['a']), self: 'a', vars: new Set(['host']) };
  const show = (s: string, sc: object = scope) => console.log(s, '=>', JSON.stringify(checkCel(s, { scope: sc as never })));
  show('vars.host + "x"');
  show('vars.hots == "x"');
  show('item == "x"');
  show('[1,2].exists(item, item > 1)');
  show('item + "x"', { ...scope, loop: 'f' });
  show('index + 1', { ...scope, loop: 'f' });
  show('vars.host == "x"', { ...scope, vars: new Set() });
  show('size(steps) > 0');
  console.log(evaluateCel('vars.host + ":" + string(index) + item', { vars: { host: 'h' }, index: 2, item: 'z' } as never));
  console.log(evaluateCel('[1,2].exists(item, item > 1)', {} as never));
});
