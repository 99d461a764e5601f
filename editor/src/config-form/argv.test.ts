import { describe, expect, it } from 'vitest';
import { argvItemLabel, asStringList, insertItem, moveItem, removeItem, replaceItem } from './argv.js';

describe('argv list edits', () => {
  const argv = ['systemctl', 'restart', '{{ alert.labels.service }}'];
  it('adds, removes and replaces without mutating', () => {
    expect(insertItem(argv, 3, '--now')).toEqual([...argv, '--now']);
    expect(insertItem(argv, 0, 'sudo')[0]).toBe('sudo');
    expect(insertItem([], 5, 'x')).toEqual(['x']);
    expect(removeItem(argv, 1)).toEqual(['systemctl', '{{ alert.labels.service }}']);
    expect(replaceItem(argv, 1, 'stop')).toEqual(['systemctl', 'stop', '{{ alert.labels.service }}']);
    expect(argv).toEqual(['systemctl', 'restart', '{{ alert.labels.service }}']);
  });
  it('moves items up and down; out-of-range moves change nothing', () => {
    expect(moveItem(argv, 2, 1)).toEqual(['systemctl', '{{ alert.labels.service }}', 'restart']);
    expect(moveItem(argv, 0, 1)).toEqual(['restart', 'systemctl', '{{ alert.labels.service }}']);
    expect(moveItem(argv, 0, -1)).toEqual(argv);
    expect(moveItem(argv, 2, 3)).toEqual(argv);
  });
  it('reads only lists; shows non-strings as JSON so they can be fixed', () => {
    expect(asStringList(undefined)).toEqual([]);
    expect(asStringList('ls -l')).toEqual([]);
    expect(asStringList(['a', 1, null])).toEqual(['a', '1', 'null']);
  });
  it('labels the program and its arguments', () => {
    expect([0, 1, 2].map(argvItemLabel)).toEqual(['Program', 'Arg 1', 'Arg 2']);
  });
});
