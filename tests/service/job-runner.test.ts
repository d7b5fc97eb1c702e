import { describe, expect, it } from 'vitest';
import { JobRunner, type Startable } from '../../server/lifecycle';

function part(name: string, log: string[], failStart = false, failStop = false): Startable {
  return {
    name,
    start: async () => {
      if (failStart) throw new Error(`${name} cannot start`);
      log.push(`start ${name}`);
    },
    stop: async () => {
      log.push(`stop ${name}`);
      if (failStop) throw new Error(`${name} cannot stop`);
    },
  };
}

describe('JobRunner', () => {
  it('starts in order and stops in reverse, closing opened resources in their turn', async () => {
    const log: string[] = [];
    const jobs = new JobRunner(() => {});
    await jobs.start(part('a', log));
    const resource = await jobs.open(
      'b',
      () => ({ name: 'b' }),
      (value) => void log.push(`close ${value.name}`),
    );
    expect(resource).toEqual({ name: 'b' });
    await jobs.start(part('c', log));
    await jobs.stopAll();
    expect(log).toEqual(['start a', 'start c', 'stop c', 'close b', 'stop a']);
    await jobs.stopAll();
    expect(log).toHaveLength(5);
  });

  it('stops what had started when a start fails, and says which stop failed', async () => {
    const log: string[] = [];
    const stopErrors: string[] = [];
    const jobs = new JobRunner((name) => stopErrors.push(name));
    await jobs.start(part('a', log));
    await jobs.start(part('b', log, false, true));
    await expect(jobs.start(part('c', log, true))).rejects.toThrow('c cannot start');
    expect(log).toEqual(['start a', 'start b', 'stop b', 'stop a']);
    expect(stopErrors).toEqual(['b']);
  });
});
