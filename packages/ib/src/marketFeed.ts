import { IBApi } from "@stoqey/ib";
import { type Event, formatOcc, parseOcc } from "@thetaflow/schemas";
import { IbAdapter, type IbObserver } from "./ibAdapter.js";
import type { IbConfig } from "./ibConfig.js";
import { type ChainSelection, selectChainContracts } from "./optionChain.js";

export interface MarketFeedOptions {
  /** Default: a new IBApi for the configured host and port. */
  readonly api?: IBApi;
  readonly config: IbConfig;
  /** Stock/ETF tickers: UnderlyingTick events. */
  readonly underlyings: readonly string[];
  /** OCC option symbols: OptionQuote events carrying IB's IV and Greeks as `vendor`. */
  readonly options: readonly string[];
  /**
   * Underlyings whose options are discovered from IB's listing (reqSecDefOptParams) once the
   * underlying's first price is in: the contracts `selection` picks around that spot are subscribed.
   * The underlying itself is streamed too.
   */
  readonly chains?: readonly { readonly symbol: string; readonly selection: ChainSelection }[];
  /** Wall clock (ms) at the edge: the day expirations are counted from. */
  readonly nowMs?: () => number;
  /** Told which contracts each discovered chain subscribed. */
  readonly onChain?: (symbol: string, contracts: readonly string[]) => void;
  /**
   * Receives the quote events in the order IB produced them, in batches; the next batch waits for the
   * previous one (a slow publisher holds events here instead of reordering them).
   */
  readonly publish: (events: readonly Event[]) => Promise<void>;
  readonly flushEveryMs?: number;
  /** Give up (stop, reject) if TWS has not connected and synchronised within this time; default 30 s. */
  readonly connectTimeoutMs?: number;
  /** Stop by itself after this many events (a smoke test, a bounded capture). */
  readonly maxEvents?: number;
  readonly observer?: IbObserver;
}

/** `promise`, or a rejection with `message` once `ms` have passed. */
const withinMs = <T>(promise: Promise<T>, ms: number, message: string): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
};

/** YYYY-MM-DD in New York, where listed expirations are dated. */
const NY_DATE = new Intl.DateTimeFormat("en-CA", { timeZone: "America/New_York" });

export interface MarketFeedStats {
  readonly published: number;
}

/** Checks the instrument list before anything connects: a typo fails fast, naming the symbol. */
export const checkFeedInstruments = (
  underlyings: readonly string[],
  options: readonly string[],
  chains: readonly string[] = [],
): void => {
  if (underlyings.length === 0 && options.length === 0 && chains.length === 0)
    throw new Error("nothing to subscribe: give --underlying, --option and/or --chain");
  for (const u of [...underlyings, ...chains])
    if (!/^[A-Z][A-Z0-9.]{0,9}$/.test(u)) throw new Error(`'${u}' is not a ticker (e.g. SPY)`);
  for (const o of options)
    if (parseOcc(o) === undefined)
      throw new Error(`'${o}' is not an OCC option symbol (e.g. SPY260220P00570000)`);
};

/**
 * IB market data as our events, for the engine's live input: it subscribes the given underlyings and
 * options through the adapter (resubscribing after every reconnect) and hands the quote events to
 * `publish` (Kafka, a replay file). Event times are the wall clock at arrival, so a recording of the
 * feed is a replay that reproduces what the engine saw, IB's Greeks included.
 */
export class IbMarketFeed {
  readonly #adapter: IbAdapter;
  #buffer: Event[] = [];
  #published = 0;
  #taken = 0;
  #chain: Promise<void> = Promise.resolve();
  #failure: Error | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  readonly #done: Promise<void>;
  #finish: () => void = () => {};
  /** Last price per underlying, and who waits for a first one (chain discovery). */
  readonly #spots = new Map<string, number>();
  readonly #spotWaiters = new Map<string, ((price: number) => void)[]>();

  private constructor(private readonly options: MarketFeedOptions) {
    this.#done = new Promise((ok) => {
      this.#finish = ok;
    });
    this.#adapter = new IbAdapter({
      api: options.api ?? new IBApi({ host: options.config.host, port: options.config.port }),
      config: options.config,
      emit: (e) => this.#take(e),
      ...(options.observer === undefined ? {} : { observer: options.observer }),
    });
  }

  static async start(options: MarketFeedOptions): Promise<IbMarketFeed> {
    const chains = options.chains ?? [];
    checkFeedInstruments(
      options.underlyings,
      options.options,
      chains.map((c) => c.symbol),
    );
    const feed = new IbMarketFeed(options);
    const limitMs = options.connectTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const connected = await Promise.race([
      feed.#adapter.start().then(() => true),
      new Promise<boolean>((ok) => {
        timer = setTimeout(() => ok(false), limitMs);
      }),
    ]);
    clearTimeout(timer);
    if (!connected) {
      feed.#adapter.stop();
      throw new Error(
        `no TWS / IB Gateway connected at ${options.config.host}:${options.config.port} within ${limitMs / 1000} s (is it running with API connections enabled on that port?)`,
      );
    }
    const underlyings = [...new Set([...options.underlyings, ...chains.map((c) => c.symbol)])];
    for (const u of underlyings) feed.#adapter.subscribeUnderlying(u);
    // Quotes carry the canonical (space-padded) OCC symbol the engine keys contracts by.
    const subscribed = new Set<string>();
    const subscribe = (occ: string) => {
      const p = parseOcc(occ)!;
      const canonical = formatOcc(p.root, p.expiry, p.right, p.strike);
      if (subscribed.has(canonical)) return;
      subscribed.add(canonical);
      feed.#adapter.subscribeOption(canonical);
    };
    for (const o of options.options) subscribe(o);
    feed.#timer = setInterval(() => feed.#flush(), options.flushEveryMs ?? 250);
    try {
      for (const chain of chains) {
        const spot = await feed.#firstPrice(chain.symbol, limitMs);
        const rows = await withinMs(
          feed.#adapter.optionChainRows(chain.symbol),
          limitMs,
          `TWS did not list ${chain.symbol}'s options within ${limitMs / 1000} s`,
        );
        const today = NY_DATE.format(new Date((options.nowMs ?? Date.now)()));
        const contracts = selectChainContracts(rows, spot, today, chain.selection);
        for (const c of contracts) subscribe(c);
        options.onChain?.(chain.symbol, contracts);
      }
    } catch (err) {
      await feed.stop().catch(() => {});
      throw err;
    }
    return feed;
  }

  /** The underlying's first price (chain discovery picks strikes around it). */
  #firstPrice(symbol: string, limitMs: number): Promise<number> {
    const known = this.#spots.get(symbol);
    if (known !== undefined) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `no price for ${symbol} from TWS within ${limitMs / 1000} s: cannot pick its chain's strikes`,
            ),
          ),
        limitMs,
      );
      const waiters = this.#spotWaiters.get(symbol) ?? [];
      waiters.push((price) => {
        clearTimeout(timer);
        resolve(price);
      });
      this.#spotWaiters.set(symbol, waiters);
    });
  }

  get adapter(): IbAdapter {
    return this.#adapter;
  }

  /** Resolves when the feed stops (maxEvents reached or `stop()`). */
  get done(): Promise<void> {
    return this.#done;
  }

  #take(event: Event): void {
    if (this.#stopped || (event.kind !== "UnderlyingTick" && event.kind !== "OptionQuote")) return;
    if (event.kind === "UnderlyingTick") {
      this.#spots.set(event.symbol, event.price);
      const waiters = this.#spotWaiters.get(event.symbol);
      if (waiters !== undefined) {
        this.#spotWaiters.delete(event.symbol);
        for (const w of waiters) w(event.price);
      }
    }
    this.#buffer.push(event);
    if (++this.#taken === this.options.maxEvents) void this.stop().catch(() => {});
  }

  #flush(): Promise<void> {
    if (this.#buffer.length === 0) return this.#chain;
    const batch = this.#buffer;
    this.#buffer = [];
    this.#chain = this.#chain
      .then(() => this.options.publish(batch))
      .then(
        () => {
          this.#published += batch.length;
        },
        (err: unknown) => {
          this.#failure ??= err instanceof Error ? err : new Error(String(err));
        },
      );
    return this.#chain;
  }

  /** Stops the subscriptions, publishes what is buffered and disconnects; rejects if a publish failed. */
  async stop(): Promise<MarketFeedStats> {
    if (!this.#stopped) {
      this.#stopped = true;
      clearInterval(this.#timer);
      this.#adapter.stop();
      await this.#flush();
      this.#finish();
    }
    await this.#chain;
    if (this.#failure !== undefined) throw this.#failure;
    return { published: this.#published };
  }
}
