import { Subject } from "rxjs";
import { describe, expect, it } from "vitest";
import { DirectSubscriber, FanoutSubject, mergeInputs } from "./fanout.js";

interface Tagged {
  readonly kind: string;
  readonly n: number;
}

const recorder = (log: string[], name: string, accepts?: ReadonlySet<string>) =>
  new DirectSubscriber<Tagged>(
    (v) => log.push(`${name}:${v.kind}${v.n}`),
    (err) => log.push(`${name}:error:${String(err)}`),
    () => log.push(`${name}:complete`),
    accepts,
  );

describe("FanoutSubject routed by kind", () => {
  it("calls a lone observer with every value: it filters for itself", () => {
    const hub = new FanoutSubject<Tagged>((v) => v.kind);
    const log: string[] = [];
    hub.subscribe(recorder(log, "a", new Set(["quote"])));
    hub.next({ kind: "bar", n: 1 });
    expect(log).toEqual(["a:bar1"]);
  });

  it("calls only the observers that accept a kind, in subscription order", () => {
    const hub = new FanoutSubject<Tagged>((v) => v.kind);
    const log: string[] = [];
    hub.subscribe(recorder(log, "a", new Set(["quote"])));
    hub.subscribe(recorder(log, "all"));
    hub.subscribe(recorder(log, "b", new Set(["bar", "quote"])));
    hub.next({ kind: "quote", n: 1 });
    hub.next({ kind: "bar", n: 2 });
    hub.next({ kind: "tick", n: 3 });
    expect(log).toEqual(["a:quote1", "all:quote1", "b:quote1", "all:bar2", "b:bar2", "all:tick3"]);
  });

  it("re-routes after observers subscribe or unsubscribe", () => {
    const hub = new FanoutSubject<Tagged>((v) => v.kind);
    const log: string[] = [];
    const first = hub.subscribe(recorder(log, "a", new Set(["quote"])));
    hub.next({ kind: "quote", n: 1 });
    hub.subscribe(recorder(log, "b", new Set(["quote"])));
    hub.next({ kind: "quote", n: 2 });
    first.unsubscribe();
    hub.next({ kind: "quote", n: 3 });
    expect(log).toEqual(["a:quote1", "a:quote2", "b:quote2", "b:quote3"]);
  });

  it("delivers nothing once completed", () => {
    const hub = new FanoutSubject<Tagged>((v) => v.kind);
    const log: string[] = [];
    hub.subscribe(recorder(log, "a"));
    hub.next({ kind: "quote", n: 1 });
    hub.complete();
    hub.next({ kind: "quote", n: 2 });
    expect(log).toEqual(["a:quote1", "a:complete"]);
  });
});

describe("mergeInputs with direct subscribers", () => {
  it("passes the reader's accepted kinds upstream and completes once every input has", () => {
    const left = new FanoutSubject<Tagged>((v) => v.kind);
    const right = new FanoutSubject<Tagged>((v) => v.kind);
    const log: string[] = [];
    mergeInputs([left, right]).subscribe(recorder(log, "m", new Set(["quote"])));
    // A second reader of `right` makes it route (a lone reader is called for everything and filters).
    const bars: string[] = [];
    right.subscribe(recorder(bars, "bars", new Set(["bar"])));
    left.next({ kind: "quote", n: 1 });
    right.next({ kind: "bar", n: 2 });
    right.next({ kind: "quote", n: 3 });
    left.complete();
    expect(log).toEqual(["m:quote1", "m:quote3"]);
    expect(bars).toEqual(["bars:bar2"]);
    right.complete();
    expect(log).toEqual(["m:quote1", "m:quote3", "m:complete"]);
  });

  it("delivers nothing more once the reader unsubscribes, though it calls the reader's handler directly", () => {
    const left = new FanoutSubject<Tagged>();
    const right = new FanoutSubject<Tagged>();
    const log: string[] = [];
    const reader = recorder(log, "m");
    mergeInputs([left, right]).subscribe(reader);
    left.next({ kind: "quote", n: 1 });
    reader.unsubscribe();
    left.next({ kind: "quote", n: 2 });
    right.next({ kind: "quote", n: 3 });
    expect(log).toEqual(["m:quote1"]);
    expect(left.observed || right.observed).toBe(false);
  });

  it("forwards through next() to a reader that is not a DirectSubscriber", () => {
    const left = new FanoutSubject<Tagged>();
    const right = new FanoutSubject<Tagged>();
    const out = new Subject<Tagged>();
    const seen: number[] = [];
    out.subscribe((v) => seen.push(v.n));
    mergeInputs([left, right]).subscribe(out);
    left.next({ kind: "quote", n: 1 });
    right.next({ kind: "quote", n: 2 });
    out.complete();
    left.next({ kind: "quote", n: 3 });
    expect(seen).toEqual([1, 2]);
  });

  it("stops after the first error and ignores the other inputs from then on", () => {
    const left = new FanoutSubject<Tagged>();
    const right = new FanoutSubject<Tagged>();
    const log: string[] = [];
    mergeInputs([left, right]).subscribe(recorder(log, "m"));
    left.error("boom");
    right.next({ kind: "quote", n: 1 });
    right.error("again");
    expect(log).toEqual(["m:error:boom"]);
  });
});
