import { describe, expect, it } from 'vitest';
import { groupObservations } from './run-summary.ts';

const obs = (summary: string, operationId: string, count: number) => ({
  oracle: 'target',
  kind: 'conformance',
  operationId,
  summary,
  count,
  exchanges: [1],
});

describe('groupObservations (the summary lines of observations)', () => {
  it('gives one line per kind of observation, most frequent first, naming the operations it was seen on', () => {
    const lines = groupObservations([
      obs('JSON labelled text/html', 'listProjects', 264),
      obs('no usable answer: TIMEOUT', 'createProject', 3),
      obs('JSON labelled text/html', 'getProject', 635),
      obs('JSON labelled text/html', 'getTask', 1),
      obs('JSON labelled text/html', 'listTasks', 2),
    ]);
    expect(lines).toEqual([
      'JSON labelled text/html (902× on listProjects, getProject, getTask and 1 more)',
      'no usable answer: TIMEOUT (3× on createProject)',
    ]);
  });

  it('is empty when there is nothing to say', () => {
    expect(groupObservations([])).toEqual([]);
  });
});
