import { Observable, Subject, Subscriber } from "rxjs";

/**
 * A Subscriber that calls its handlers straight through. Subscribing with a plain observer object
 * makes RxJS wrap it in a SafeSubscriber whose ConsumerObserver adds two calls and a try/catch per
 * event; a Subscriber instance is used as given. Inside the engine's static graph that wrapper buys
 * nothing: operator failures are contained by the actor nodes, and anything else thrown on the way
 * (a sink's write) now reaches `drive`, which fails the run, instead of being rethrown later from a
 * timer by RxJS's unhandled-error report. Stopped-state and teardown behave as RxJS's own.
 *
 * `accepts` names the event kinds this subscriber does anything with (an actor node's `consumes`,
 * a sink's kind filter); a FanoutSubject routed by kind skips it for the others.
 */
export class DirectSubscriber<T> extends Subscriber<T> {
  constructor(
    /** Public so an upstream stage that unsubscribes whenever this subscriber stops can call it directly. */
    readonly onNext: (value: T) => void,
    private readonly onError: (err: unknown) => void,
    private readonly onComplete: () => void,
    readonly accepts?: ReadonlySet<string>,
  ) {
    super();
  }

  override next(value: T): void {
    if (!this.isStopped) this.onNext(value);
  }

  override error(err: unknown): void {
    if (this.isStopped) return;
    this.isStopped = true;
    try {
      this.onError(err);
    } finally {
      this.unsubscribe();
    }
  }

  override complete(): void {
    if (this.isStopped) return;
    this.isStopped = true;
    try {
      this.onComplete();
    } finally {
      this.unsubscribe();
    }
  }
}

type Observer<T> = { next(v: T): void; readonly accepts?: ReadonlySet<string> };

/**
 * A Subject for a static graph: `next` calls each observer directly. RxJS's own Subject snapshots
 * its observer list and wraps every emission in a closure for error context — an allocation per
 * event per hop that showed up as the engine's top cost. The graph is fully wired before the first
 * event and never re-wired while running, so neither protection is needed here.
 *
 * Given a `routeKey` (an event's kind), it also keeps, per key, the observers that accept it, in
 * subscription order: a source hub then calls only the nodes that consume an option quote instead of
 * every reader of the market stream. The routes are rebuilt whenever RxJS drops its own observer
 * snapshot (`currentObservers`, cleared on every subscribe and unsubscribe).
 */
export class FanoutSubject<T> extends Subject<T> {
  readonly #routes = new Map<string, Observer<T>[]>();
  #lastKey: string | undefined;
  #lastRoute: Observer<T>[] = [];

  constructor(private readonly routeKey?: (value: T) => string) {
    super();
  }

  override next(value: T): void {
    if (this.isStopped) return;
    // biome-ignore lint/suspicious/noExplicitAny: RxJS's internal observer list and its snapshot
    const self = this as any;
    const routeKey = this.routeKey;
    let observers: Observer<T>[] = self.observers;
    // Routing is only a shortcut (every reader filters again), so a single reader is called as is.
    if (routeKey !== undefined && observers.length > 1) {
      if (self.currentObservers === null) {
        this.#routes.clear();
        this.#lastKey = undefined;
        self.currentObservers = observers.slice();
      }
      const key = routeKey(value);
      if (key !== this.#lastKey) {
        let route = this.#routes.get(key);
        if (route === undefined) {
          route = observers.filter((o) => o.accepts?.has(key) ?? true);
          this.#routes.set(key, route);
        }
        // Kinds come in runs (a chain's quotes, then its Greeks): most events skip the map lookup.
        this.#lastKey = key;
        this.#lastRoute = route;
      }
      observers = this.#lastRoute;
    }
    for (let i = 0; i < observers.length; i++) observers[i]!.next(value);
  }
}

/**
 * What `subject.next` amounts to once the graph is wired, when its only observer is a DirectSubscriber
 * (a source read by the graph): that subscriber's handler, two calls less per event. For a caller that
 * also ends the subject itself, so the observer cannot stop while it is delivering.
 */
export const directDelivery = <T>(subject: Subject<T>): ((value: T) => void) => {
  const observers = subject.observers;
  const only = observers.length === 1 ? observers[0] : undefined;
  return only instanceof DirectSubscriber && !only.closed ? only.onNext : (v) => subject.next(v);
};

/**
 * How a stage delivers to `subscriber`: a DirectSubscriber's handler itself (one call and one
 * megamorphic dispatch less per event), which is safe only for a stage whose teardown unsubscribes
 * its upstream, so that nothing is delivered once `subscriber` has stopped.
 */
export const deliveryTo = <T>(subscriber: Subscriber<T>): ((value: T) => void) =>
  subscriber instanceof DirectSubscriber ? subscriber.onNext : (v) => subscriber.next(v);

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
        const accepts = subscriber instanceof DirectSubscriber ? subscriber.accepts : undefined;
        // The teardown below unsubscribes every input, which stops their subscribers.
        const deliver = deliveryTo(subscriber);
        const subs = inputs.map((input) =>
          input.subscribe(
            new DirectSubscriber<T>(
              deliver,
              (err) => subscriber.error(err),
              () => {
                if (--open === 0) subscriber.complete();
              },
              accepts,
            ),
          ),
        );
        return () => {
          for (const s of subs) s.unsubscribe();
        };
      });
