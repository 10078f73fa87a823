/**
 * Virtual time. Every branch of a Parallel, every Map iteration and every child execution is a
 * thread; one thread runs at a time, and when all are waiting (a Wait state, a retry interval, a
 * task that takes time), the clock jumps to the earliest wake-up. Runs are therefore instant in
 * wall time, deterministic, and their history carries the timestamps Step Functions would record.
 *
 * A thread may also wait for an answer from outside the run (a task token's SendTaskSuccess, an
 * activity worker): while one does, the virtual clock holds, since nobody knows when the answer
 * comes. In real time (`realTime`), the clock is the wall clock instead: a wake-up comes when its
 * time does.
 */

/** Thrown into a thread whose scope was aborted (a sibling branch failed, the execution timed out). */
export class Aborted extends Error {
  constructor() {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super('aborted');
    Error.stackTraceLimit = limit;
    this.name = 'Aborted';
  }
}

interface Entry {
  readonly time: number;
  /** An outside answer's wait: in no heap, woken only by the answer or an abort. */
  readonly outside?: boolean;
  readonly seq: number;
  cancelled: boolean;
  /** Dropped when the entry is cancelled: a cancelled entry waits in the heap until its time, and must not keep what it would have called alive. */
  fire: (aborted: boolean) => void;
  readonly aborted: boolean;
}

/** A group of threads that is aborted together (a branch, an iteration, an execution). */
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
    for (const entry of [...this.sleepers]) this.scheduler.wakeEarly(entry, this);
    for (const c of [...this.children]) c.abort();
  }
}

/** A timer that can be cancelled (an execution's deadline, once the execution has ended). */
export interface Timer { cancel(): void }

const NOTHING = (): void => undefined;
/** The longest delay a Node.js timer takes (about 24.8 days); a later wake-up is waited for in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class Scheduler {
  private clock: number;
  /** A binary heap ordered by (time, seq); cancelled entries are skipped when they come up. */
  private readonly heap: Entry[] = [];
  /**
   * Threads that start only when nothing else is due at the current instant, before the clock moves
   * (a last in, first out stack, so a child's own deferred threads start before its siblings').
   */
  private readonly deferred: Entry[] = [];
  /** Cancelled entries still in the heap: when they are most of it, it is rebuilt without them. */
  private cancelled = 0;
  private running = 1;
  private seq = 0;
  private dispatching = false;
  /** Threads waiting for an answer from outside the run: while there is one, virtual time holds. */
  private outside = 0;
  /** In real time: the wall-clock timer that resumes dispatching at the next wake-up. */
  private wake?: { readonly at: number; readonly handle: ReturnType<typeof setTimeout> };

  /**
   * @param start the clock's start, in milliseconds since the epoch
   * @param realTime follow the wall clock: a wake-up comes when its time does
   */
  constructor(start: number, public readonly realTime = false) {
    this.clock = start;
  }

  /** The time, in milliseconds since the epoch: virtual, or the wall clock's in real time (never going back). */
  get now(): number {
    if (this.realTime) this.clock = Math.max(this.clock, Date.now());
    return this.clock;
  }

  /**
   * Waits, as a thread, for an answer that comes from outside the run, at no time anyone knows. Rejects
   * with Aborted if the scope is aborted first. Virtual time holds meanwhile.
   */
  outsideAnswer<T>(answer: Promise<T>, scope: Scope): Promise<T> {
    if (scope.aborted) return Promise.reject(new Aborted());
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const entry: Entry = {
        time: Infinity,
        outside: true,
        seq: this.seq++,
        cancelled: false,
        aborted: false,
        fire: () => {
          // Aborted: its scope woke it early.
          scope.sleepers.delete(entry);
          if (settled) return;
          settled = true;
          this.outside--;
          reject(new Aborted());
        },
      };
      scope.sleepers.add(entry);
      this.outside++;
      this.running--;
      const resume = (fire: () => void) => {
        if (settled) return;
        settled = true;
        scope.sleepers.delete(entry);
        this.outside--;
        this.push({ time: this.clock, seq: this.seq++, cancelled: false, aborted: false, fire });
        this.dispatch();
      };
      answer.then(value => resume(() => resolve(value)), reason => resume(() => reject(reason)));
      this.dispatch();
    });
  }

  /** Lets virtual time pass for this thread until `until` (ms). Rejects with Aborted if its scope is aborted meanwhile. */
  sleep(until: number, scope: Scope): Promise<void> {
    if (scope.aborted) return Promise.reject(new Aborted());
    return new Promise<void>((resolve, reject) => {
      const entry: Entry = {
        time: Math.max(until, this.now),
        seq: this.seq++,
        cancelled: false,
        aborted: false,
        fire: aborted => {
          scope.sleepers.delete(entry);
          if (aborted) reject(new Aborted());
          else resolve();
        },
      };
      scope.sleepers.add(entry);
      this.running--;
      this.push(entry);
      this.dispatch();
    });
  }

  /** A timer that is not a thread: `fire` runs at `at` once every thread due before it has run. */
  timer(at: number, fire: () => void): Timer {
    const entry: Entry = {
      time: at,
      seq: this.seq++,
      cancelled: false,
      aborted: false,
      fire: () => {
        fire();
        this.running--;
        this.dispatch();
      },
    };
    this.push(entry);
    // Set from outside a thread (a heartbeat that came in), it may be the next wake-up.
    this.dispatch();
    // An execution's deadline is cancelled when it ends, long before its time: the entry stays in the
    // heap until then, so it lets go of the execution (a map run's thousands of children) at once.
    return {
      cancel: () => {
        if (entry.cancelled) return;
        entry.cancelled = true;
        entry.fire = NOTHING;
        this.noteCancelled();
      },
    };
  }

  /**
   * Runs the threads concurrently in virtual time, the caller blocked until all have settled, and
   * resumes the caller at the time the last one ended.
   *
   * With `deferred`, each thread starts at the same virtual instant as without, but only once every
   * thread due at that instant is waiting: a thread that runs to its end without letting time pass
   * ends before the next one starts. A Distributed Map starts its children this way, so that ten
   * thousand children that take no virtual time are not all held in memory at once.
   */
  all<T>(threads: Array<() => Promise<T>>, deferred = false): Promise<PromiseSettledResult<T>[]> {
    if (threads.length === 0) return Promise.resolve([]);
    return new Promise(resolveAll => {
      const results: PromiseSettledResult<T>[] = new Array(threads.length);
      let remaining = threads.length;
      this.running--;
      const starts: Entry[] = [];
      threads.forEach((thread, i) => {
        starts.push({
          time: this.now,
          seq: this.seq++,
          cancelled: false,
          aborted: false,
          fire: () => {
            let settled: Promise<PromiseSettledResult<T>>;
            try {
              settled = thread().then(value => ({ status: 'fulfilled', value }), reason => ({ status: 'rejected', reason }));
            } catch (reason) {
              settled = Promise.resolve({ status: 'rejected', reason });
            }
            void settled.then(result => {
              results[i] = result;
              remaining--;
              if (remaining === 0) this.push({ time: this.now, seq: this.seq++, cancelled: false, aborted: false, fire: () => resolveAll(results) });
              this.running--;
              this.dispatch();
            });
          },
        });
      });
      if (deferred) this.deferred.push(...starts.reverse());
      else for (const entry of starts) this.push(entry);
      this.dispatch();
    });
  }

  /** Starts a thread without waiting for it: the caller goes on. */
  spawn<T>(thread: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.push({
        time: this.now,
        seq: this.seq++,
        cancelled: false,
        aborted: false,
        fire: () => {
          let done: Promise<T>;
          try {
            done = thread();
          } catch (e) {
            done = Promise.reject(e);
          }
          done.then(resolve, reject).finally(() => {
            this.running--;
            this.dispatch();
          });
        },
      });
    });
  }

  /** Blocks the caller, in virtual time, until threads started with spawn have ended. */
  join(threads: Promise<unknown>[]): Promise<void> {
    return new Promise<void>(resume => {
      let remaining = threads.length;
      if (remaining === 0) {
        resume();
        return;
      }
      this.running--;
      for (const t of threads) {
        void t.then(() => undefined, () => undefined).then(() => {
          remaining--;
          if (remaining === 0) {
            this.push({ time: this.now, seq: this.seq++, cancelled: false, aborted: false, fire: () => resume() });
            this.dispatch();
          }
        });
      }
      this.dispatch();
    });
  }

  /** Wakes a sleeping thread now, with Aborted. */
  wakeEarly(entry: Entry, scope: Scope): void {
    if (entry.cancelled) return;
    entry.cancelled = true;
    if (!entry.outside) this.noteCancelled();
    const early: Entry = { time: this.now, seq: this.seq++, cancelled: false, aborted: true, fire: entry.fire };
    scope.sleepers.delete(entry);
    scope.sleepers.add(early);
    this.push(early);
    // Aborted from outside a thread (StopExecution): nothing else would dispatch it.
    this.dispatch();
  }

  private noteCancelled(): void {
    this.cancelled++;
    if (this.cancelled < 1024 || this.cancelled * 2 < this.heap.length) return;
    const live = this.heap.filter(e => !e.cancelled);
    this.heap.length = 0;
    this.cancelled = 0;
    for (const e of live) this.push(e);
  }

  private before(a: Entry, b: Entry): boolean {
    return a.time < b.time || (a.time === b.time && a.seq < b.seq);
  }

  private push(entry: Entry): void {
    const h = this.heap;
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const parent = Math.floor((i - 1) / 2);
      if (!this.before(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  private pop(): Entry | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.before(h[l], h[m])) m = l;
        if (r < h.length && this.before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }

  /**
   * Runs the next entry when no thread runs. A thread started here runs synchronously up to its
   * first await; if it blocks at once (it starts threads of its own), the loop goes on here instead
   * of recursing, so a map of thousands of children does not grow the stack.
   */
  private dispatch(): void {
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      while (this.running === 0) {
        while (this.heap.length > 0 && this.heap[0].cancelled) {
          this.pop();
          this.cancelled--;
        }
        const due = this.heap.length > 0 && this.heap[0].time <= this.now;
        if (!due && this.deferred.length > 0) {
          this.running++;
          this.deferred.pop()!.fire(false);
          continue;
        }
        if (!due && this.heap.length > 0 && (this.realTime || this.outside > 0)) {
          // In real time, the next wake-up comes when its time does; in virtual time, the clock holds while a thread waits for an outside answer.
          if (this.realTime) this.wakeAt(this.heap[0].time);
          return;
        }
        const next = this.pop();
        if (!next) return;
        // Fired: a cancel that comes later has nothing left in the heap to skip.
        next.cancelled = true;
        this.clock = Math.max(this.clock, next.time);
        this.running++;
        next.fire(next.aborted);
      }
    } finally {
      this.dispatching = false;
    }
  }

  /** Real time: dispatches again at `at` (a wall-clock timer that does not keep the process alive). */
  private wakeAt(at: number): void {
    if (this.wake && this.wake.at <= at) return;
    if (this.wake) clearTimeout(this.wake.handle);
    const handle = setTimeout(() => {
      this.wake = undefined;
      this.dispatch();
    }, Math.min(Math.max(at - Date.now(), 0), MAX_TIMER_MS));
    handle.unref?.();
    this.wake = { at, handle };
  }
}
