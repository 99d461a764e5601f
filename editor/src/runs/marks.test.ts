import { describe, expect, it } from 'vitest';
import type { StepStatus } from '../../../shared/statuses.js';
import { stepSequence } from '../../../test/kit/steps.js';
import { edgeId } from '../canvas/model.js';
import { defaultSelection, markForStep, runMarks, stepsByNode, takenEdges } from './marks.js';

const { step, reset } = stepSequence();

const flow = {
  nodes: [
    { id: 'am', type: 'source.alertmanager', config: {} },
    { id: 'disk', type: 'condition.match', config: {} },
    { id: 'clean', type: 'action.http', config: {} },
    { id: 'ask', type: 'approval.request', config: {} },
    { id: 'restart', type: 'action.shell', config: {} },
  ],
};

function diskFullRun(askStatus: StepStatus, askPort: string | null) {
  reset();
  const am = step('am', 'source.alertmanager', 'succeeded', 'out');
  const disk = step('disk', 'condition.match', 'succeeded', 'match', am);
  const clean = step('clean', 'action.http', 'succeeded', 'ok', disk);
  const ask = step('ask', 'approval.request', askStatus, askPort, clean);
  return { am, disk, clean, ask, steps: [am, disk, clean, ask] };
}

describe('markForStep', () => {
  it('shows intent and pending as running, and every other status as itself', () => {
    expect(markForStep('intent')).toBe('running');
    expect(markForStep('pending')).toBe('running');
    for (const s of ['succeeded', 'failed', 'waiting', 'unknown', 'cancelled'] as const) expect(markForStep(s)).toBe(s);
  });
});

describe('runMarks', () => {
  it('marks reached nodes with their port and leaves unreached ones alone while the run is live', () => {
    const { steps } = diskFullRun('waiting', null);
    const marks = runMarks(flow, steps, 'waiting');
    expect(marks.get('am')).toEqual({ mark: 'succeeded', note: 'out' });
    expect(marks.get('disk')).toEqual({ mark: 'succeeded', note: 'match' });
    expect(marks.get('ask')).toEqual({ mark: 'waiting' });
    expect(marks.has('restart')).toBe(false);
  });

  it('marks unreached nodes skipped once the run is over', () => {
    const { steps } = diskFullRun('succeeded', 'rejected');
    const marks = runMarks(flow, steps, 'succeeded');
    expect(marks.get('ask')).toEqual({ mark: 'succeeded', note: 'rejected' });
    expect(marks.get('restart')).toEqual({ mark: 'skipped' });
  });

  it('marks nothing skipped on a held run: nothing ran yet, a release starts it', () => {
    const marks = runMarks(flow, [], 'held');
    expect(marks.size).toBe(0);
  });

  it('colours a node that ran twice by its latest step and says so', () => {
    const { steps, clean } = diskFullRun('waiting', null);
    const again = step('ask', 'approval.request', 'failed', null, clean);
    const marks = runMarks(flow, [...steps, again], 'failed');
    expect(marks.get('ask')).toEqual({ mark: 'failed', note: 'ran 2×' });
  });

  it('shows an interrupted step as unknown', () => {
    reset();
    const am = step('am', 'source.alertmanager', 'succeeded', 'out');
    const restart = step('restart', 'action.shell', 'unknown', null, am);
    expect(runMarks(flow, [am, restart], 'needs_attention').get('restart')).toEqual({ mark: 'unknown' });
  });
});

describe('takenEdges', () => {
  it('gives the canvas ids of the edges tokens travelled, single-port sources included', () => {
    const { steps } = diskFullRun('succeeded', 'approved');
    const edges = takenEdges(steps);
    expect(edges).toEqual(
      new Set([edgeId('am', 'out', 'disk'), edgeId('disk', 'match', 'clean'), edgeId('clean', 'ok', 'ask')]),
    );
  });

  it('marks a loop\'s loop port as travelled by its items, and the port it ended on by what followed', () => {
    reset();
    const am = step('am', 'source.alertmanager', 'succeeded', 'out');
    const loop = step('hosts', 'control.foreach', 'succeeded', 'done', am);
    const item = { ...step('clean', 'action.http', 'succeeded', 'ok', loop), scope: `${loop.id}#0` };
    const after = step('report', 'action.http', 'succeeded', 'ok', loop);
    expect(takenEdges([am, loop, item, after])).toEqual(
      new Set([edgeId('am', 'out', 'hosts'), edgeId('hosts', 'each', 'clean'), edgeId('hosts', 'done', 'report')]),
    );
  });

  it('ignores steps whose parent is not in the list', () => {
    reset();
    const orphan = { ...step('disk', 'condition.match', 'pending', null), parentStepId: 'st_missing' };
    expect(takenEdges([orphan]).size).toBe(0);
  });
});

describe('defaultSelection', () => {
  it('opens on the step that needs a person', () => {
    expect(defaultSelection(diskFullRun('waiting', null).steps)).toBe('ask');
    reset();
    const am = step('am', 'source.alertmanager', 'succeeded', 'out');
    const clean = step('clean', 'action.http', 'failed', 'error', am);
    const after = step('restart', 'action.shell', 'succeeded', 'ok', clean);
    expect(defaultSelection([am, clean, after])).toBe('clean');
  });

  it('else opens on the last step, in seq order whatever the list order', () => {
    const { steps } = diskFullRun('succeeded', 'approved');
    expect(defaultSelection([...steps].reverse())).toBe('ask');
    expect(defaultSelection([])).toBeUndefined();
  });

  it('groups steps per node in seq order', () => {
    const { steps } = diskFullRun('succeeded', 'approved');
    expect([...stepsByNode([...steps].reverse()).keys()]).toEqual(['am', 'disk', 'clean', 'ask']);
  });
});
