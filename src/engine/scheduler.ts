/**
 * Virtual time. Every branch of a Parallel and every Map iteration is a thread; one thread runs at a
 * time, and when all are waiting (a Wait state, a retry interval, a task that takes time), the clock
 * jumps to the earliest wake-up. Runs are therefore instant in wall time, deterministic, and their
 * history carries the timestamps Step Functions would record.
 */

/** Thrown into a thread whose scope was aborted (a sibling branch failed, the execution timed out). */
export class Aborted extends Error {
  constructor() {
    super('aborted');
    this.name = 'Aborted';
  }
}

interface Entry {
  time: number;
  seq: number;
  aborted?: boolean;
  readonly wake: () => void;
}

/** A group of threads that is aborted together (a branch, an iteration, the whole execution). */
export class Scope {
  public aborted = false;
  readonly children = new Set<Scope>();
  readonly sleepers = new Set<Entry>();

  constructor(private readonly scheduler: Scheduler, public readonly parent?: Scope) {
    parent?.children.add(this);
  }

  child(): Scope {
    return new Scope(this.scheduler, this);
  }

  /** Detaches a finished child so it is not kept alive. */
  release(): void {
    this.parent?.children.delete(this);
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    for (const entry of this.sleepers) this.scheduler.wakeEarly(entry);
    for (const c of this.children) c.abort();
  }
}

export class Scheduler {
  /** Virtual time, in milliseconds since the epoch. */
  public now: number;
  private readonly queue: Entry[] = [];
  private running = 1;
  private seq = 0;

  constructor(start: number) {
    this.now = start;
  }

  /** Lets virtual time pass for this thread until `until` (ms). Rejects with Aborted if its scope is aborted meanwhile. */
  sleep(until: number, scope: Scope): Promise<void> {
    if (scope.aborted) return Promise.reject(new Aborted());
    return new Promise<void>((resolve, reject) => {
      const entry: Entry = {
        time: Math.max(until, this.now),
        seq: this.seq++,
        wake: () => {
          scope.sleepers.delete(entry);
          if (entry.aborted) reject(new Aborted());
          else resolve();
        },
      };
      scope.sleepers.add(entry);
      this.running--;
      this.insert(entry);
      this.dispatch();
    });
  }

  /** A timer that is not a thread: `fire` runs at `at` if nothing else is due before. */
  timer(at: number, fire: () => void): void {
    const entry: Entry = {
      time: at,
      seq: this.seq++,
      wake: () => {
        fire();
        this.running--;
        this.dispatch();
      },
    };
    this.insert(entry);
  }

  /**
   * Runs the threads concurrently in virtual time, the caller blocked until all have settled, and
   * resumes the caller at the time the last one ended.
   */
  all<T>(threads: Array<() => Promise<T>>): Promise<PromiseSettledResult<T>[]> {
    if (threads.length === 0) return Promise.resolve([]);
    return new Promise(resolveAll => {
      const results: PromiseSettledResult<T>[] = new Array(threads.length);
      let remaining = threads.length;
      this.running--;
      threads.forEach((thread, i) => {
        this.insert({
          time: this.now,
          seq: this.seq++,
          wake: () => {
            let settled: Promise<PromiseSettledResult<T>>;
            try {
              settled = thread().then(value => ({ status: 'fulfilled', value }), reason => ({ status: 'rejected', reason }));
            } catch (reason) {
              settled = Promise.resolve({ status: 'rejected', reason });
            }
            void settled.then(result => {
              results[i] = result;
              remaining--;
              if (remaining === 0) this.insert({ time: this.now, seq: this.seq++, wake: () => resolveAll(results) });
              this.running--;
              this.dispatch();
            });
          },
        });
      });
      this.dispatch();
    });
  }

  wakeEarly(entry: Entry): void {
    const i = this.queue.indexOf(entry);
    if (i < 0) return;
    this.queue.splice(i, 1);
    entry.aborted = true;
    entry.time = this.now;
    entry.seq = this.seq++;
    this.insert(entry);
  }

  private insert(entry: Entry): void {
    let lo = 0;
    let hi = this.queue.length;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const m = this.queue[mid];
      if (m.time < entry.time || (m.time === entry.time && m.seq < entry.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.queue.splice(lo, 0, entry);
  }

  private dispatch(): void {
    if (this.running > 0 || this.queue.length === 0) return;
    const next = this.queue.shift()!;
    this.now = Math.max(this.now, next.time);
    this.running++;
    next.wake();
  }
}
