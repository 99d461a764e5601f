import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client.js';
import { flowsInConflict, placeSaveError } from './secrets-api.js';

describe('placing a refused secret save', () => {
  it('puts each issue under the field its path names, numbering host entries', () => {
    const error = new ApiError(400, 'bad_request', 'invalid secret', {
      issues: [
        { path: ['hosts', 1], message: 'not a host name' },
        { path: ['body', 'value'], message: 'at least 4 characters' },
      ],
    });
    expect(placeSaveError(error)).toEqual([
      { field: 'hosts', messages: ['Entry 2: not a host name'] },
      { field: 'value', messages: ['at least 4 characters'] },
    ]);
  });

  it('uses details.field, else shows the message for the whole form', () => {
    expect(placeSaveError(new ApiError(400, 'bad_request', 'name must be upper-case', { field: 'name' }))).toEqual([
      { field: 'name', messages: ['name must be upper-case'] },
    ]);
    expect(placeSaveError(new ApiError(409, 'conflict', 'AM_TOKEN is set in the server environment'))).toEqual([
      { field: 'form', messages: ['AM_TOKEN is set in the server environment'] },
    ]);
    expect(placeSaveError(new Error('offline'))).toEqual([{ field: 'form', messages: ['offline'] }]);
  });
});

describe('the flows a refused delete names', () => {
  it('reads usedBy or flows from a 409, and nothing from other errors', () => {
    const conflict = new ApiError(409, 'conflict', 'used by Restart web', { usedBy: [{ flowId: 'restart-web', flowName: 'Restart web' }] });
    expect(flowsInConflict(conflict)).toEqual([{ flowId: 'restart-web', flowName: 'Restart web' }]);
    expect(flowsInConflict(new ApiError(409, 'conflict', 'x', { flows: [{ id: 'a', name: 'A' }, { id: 'b' }] }))).toEqual([
      { flowId: 'a', flowName: 'A' },
      { flowId: 'b', flowName: 'b' },
    ]);
    expect(flowsInConflict(new ApiError(404, 'not_found', 'no such secret'))).toEqual([]);
  });
});
