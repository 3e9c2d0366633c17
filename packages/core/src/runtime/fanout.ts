import { Observable, Subject, type Subscriber } from "rxjs";

/**
 * A Subject for a static graph: `next` calls each observer directly. RxJS's own Subject snapshots
 * its observer list and wraps every emission in a closure for error context — an allocation per
 * event per hop that showed up as the engine's top cost. The graph is fully wired before the first
 * event and never re-wired while running, so neither protection is needed here.
 */
export class FanoutSubject<T> extends Subject<T> {
  override next(value: T): void {
    // biome-ignore lint/suspicious/noExplicitAny: `observers` is RxJS's internal list (deprecated API)
    const observers = (this as any).observers as { next(v: T): void }[];
    for (let i = 0; i < observers.length; i++) observers[i]!.next(value);
  }
}

/**
 * Merges inputs without RxJS's general-purpose `merge` machinery: forwards each value synchronously
 * and completes when every input has completed. Order = the order the inputs emit in, which in a
 * synchronous graph is fixed by the graph itself.
 */
export const mergeInputs = <T>(inputs: ReadonlyArray<Observable<T>>): Observable<T> =>
  inputs.length === 1
    ? inputs[0]!
    : new Observable<T>((subscriber: Subscriber<T>) => {
        let open = inputs.length;
        const subs = inputs.map((input) =>
          input.subscribe({
            next: (v) => subscriber.next(v),
            error: (err) => subscriber.error(err),
            complete: () => {
              if (--open === 0) subscriber.complete();
            },
          }),
        );
        return () => {
          for (const s of subs) s.unsubscribe();
        };
      });
