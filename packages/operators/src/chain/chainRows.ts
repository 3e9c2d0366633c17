import type { Greeks, OptionQuote } from "@thetaflow/schemas";

/**
 * One chain (one underlying, one event time) collected as columns: the few numbers the chain summary
 * reads from each Greeks event and each quote, in typed arrays. The events themselves are not kept, so
 * they die young (a chain of Greeks objects held until the chain completes was most of the pipeline's
 * GC time) and a row costs no allocation.
 *
 * Sharing without copying: a view owns the first `count` rows of its columns. Appending row n writes
 * slot n only when nobody has written it yet (`written === n`); otherwise another view sharing the
 * columns got there first and the appending view gets its own copy of its rows first, so no view ever
 * sees a row change under it (ivSurface's states shared columns this way before they became mutable).
 *
 * ivSurface owns its columns outright (its state changes in place; the runtime's snapshots hold
 * copies: see its `detach`), so it refills them chain after chain (`recycle*Rows`) instead of
 * allocating and zero-filling ~120 bytes per row per chain, and copies only to grow them.
 */
export interface GreeksRows {
  /** Rows written so far by any state sharing these columns (high-water mark). */
  written: number;
  readonly capacity: number;
  readonly expiryIds: Map<string, number>;
  readonly expiries: string[];
  /**
   * The expiry of the last appended row and its id: a chain's contracts come in runs of one expiry, so
   * most rows skip the map. A memo of `expiryIds`, whose entries never change, so sharing it is safe.
   */
  lastExpiry: string | undefined;
  lastExpiryId: number;
  readonly contract: string[];
  readonly expiry: Int32Array;
  readonly call: Uint8Array;
  readonly strike: Float64Array;
  readonly spot: Float64Array;
  readonly tYears: Float64Array;
  /** NaN stands for null: Greeks numbers are finite by schema, so NaN is free to mean "none". */
  readonly mid: Float64Array;
  readonly iv: Float64Array;
  readonly delta: Float64Array;
  readonly gamma: Float64Array;
  readonly vega: Float64Array;
  readonly theta: Float64Array;
  /** NaN when the vendor gave no IV. */
  readonly vendorIv: Float64Array;
}

export interface QuoteRows {
  written: number;
  readonly capacity: number;
  readonly contract: string[];
  /**
   * `contractKey(contract)` per row: a look-up compares strings only where the keys match. Missing
   * (undefined at run time) in columns restored from a checkpoint written before keys existed; the
   * next append copies such columns and derives the keys.
   */
  readonly contractKey: Int32Array;
  readonly call: Uint8Array;
  readonly bid: Float64Array;
  readonly ask: Float64Array;
  readonly volume: Float64Array;
  readonly openInterest: Float64Array;
}

const MIN_CAPACITY = 16;

/**
 * Hands out a chain's columns from one ArrayBuffer: one backing-store allocation per chain instead of
 * one per column (a chain of 3,000 rows otherwise allocated 19 buffers). Float64 columns come first so
 * every view stays aligned.
 */
class ColumnBlock {
  readonly #buffer: ArrayBuffer;
  #offset = 0;

  constructor(
    private readonly rows: number,
    float64Columns: number,
    int32Columns: number,
    uint8Columns: number,
  ) {
    this.#buffer = new ArrayBuffer(rows * (8 * float64Columns + 4 * int32Columns + uint8Columns));
  }

  float64(): Float64Array {
    return this.#take(Float64Array, 8);
  }

  int32(): Int32Array {
    return this.#take(Int32Array, 4);
  }

  uint8(): Uint8Array {
    return this.#take(Uint8Array, 1);
  }

  #take<A>(View: new (buffer: ArrayBuffer, offset: number, length: number) => A, bytes: number): A {
    const view = new View(this.#buffer, this.#offset, this.rows);
    this.#offset += this.rows * bytes;
    return view;
  }
}

export const emptyGreeksRows = (capacity: number): GreeksRows => {
  const n = Math.max(MIN_CAPACITY, capacity);
  const block = new ColumnBlock(n, 10, 1, 1);
  return {
    written: 0,
    capacity: n,
    expiryIds: new Map(),
    expiries: [],
    lastExpiry: undefined,
    lastExpiryId: -1,
    contract: new Array<string>(n),
    strike: block.float64(),
    spot: block.float64(),
    tYears: block.float64(),
    mid: block.float64(),
    iv: block.float64(),
    delta: block.float64(),
    gamma: block.float64(),
    vega: block.float64(),
    theta: block.float64(),
    vendorIv: block.float64(),
    expiry: block.int32(),
    call: block.uint8(),
  };
};

export const emptyQuoteRows = (capacity: number): QuoteRows => {
  const n = Math.max(MIN_CAPACITY, capacity);
  const block = new ColumnBlock(n, 4, 1, 1);
  return {
    written: 0,
    capacity: n,
    contract: new Array<string>(n),
    bid: block.float64(),
    ask: block.float64(),
    volume: block.float64(),
    openInterest: block.float64(),
    contractKey: block.int32(),
    call: block.uint8(),
  };
};

/** The first `count` rows of `from` in fresh columns of at least `capacity` rows. */
export const copyGreeksRows = (from: GreeksRows, count: number, capacity: number): GreeksRows => {
  const to = emptyGreeksRows(capacity);
  for (let i = 0; i < count; i++) to.contract[i] = from.contract[i]!;
  for (const [expiry, id] of from.expiryIds) to.expiryIds.set(expiry, id);
  to.expiries.push(...from.expiries);
  to.expiry.set(from.expiry.subarray(0, count));
  to.call.set(from.call.subarray(0, count));
  to.strike.set(from.strike.subarray(0, count));
  to.spot.set(from.spot.subarray(0, count));
  to.tYears.set(from.tYears.subarray(0, count));
  to.mid.set(from.mid.subarray(0, count));
  to.iv.set(from.iv.subarray(0, count));
  to.delta.set(from.delta.subarray(0, count));
  to.gamma.set(from.gamma.subarray(0, count));
  to.vega.set(from.vega.subarray(0, count));
  to.theta.set(from.theta.subarray(0, count));
  to.vendorIv.set(from.vendorIv.subarray(0, count));
  to.written = count;
  return to;
};

export const copyQuoteRows = (from: QuoteRows, count: number, capacity: number): QuoteRows => {
  const to = emptyQuoteRows(capacity);
  for (let i = 0; i < count; i++) to.contract[i] = from.contract[i]!;
  // Columns restored from a checkpoint written before keys existed have none: derive them.
  if (from.contractKey === undefined)
    for (let i = 0; i < count; i++) to.contractKey[i] = contractKey(to.contract[i]!);
  else to.contractKey.set(from.contractKey.subarray(0, count));
  to.call.set(from.call.subarray(0, count));
  to.bid.set(from.bid.subarray(0, count));
  to.ask.set(from.ask.subarray(0, count));
  to.volume.set(from.volume.subarray(0, count));
  to.openInterest.set(from.openInterest.subarray(0, count));
  to.written = count;
  return to;
};

/**
 * A few characters of a contract id, where OCC symbols differ (right, strike digits), packed in an
 * int with its length: equal ids have equal keys, so a search can skip rows whose key differs. Any id
 * works; others are only told apart less often.
 */
export const contractKey = (contract: string): number => {
  const n = contract.length;
  return (
    (n << 24) ^
    ((contract.charCodeAt(n - 4) | 0) << 16) ^
    ((contract.charCodeAt(n - 5) | 0) << 8) ^
    (contract.charCodeAt(n - 9) | 0)
  );
};

const orNaN = (x: number | null | undefined): number => (x === null || x === undefined ? Number.NaN : x);

/**
 * Columns holding the first `count` rows of `rows` plus `g` as row `count`: `rows` itself when the
 * slot is free, a copy otherwise (see GreeksRows).
 */
export const appendGreeks = (rows: GreeksRows, count: number, g: Greeks): GreeksRows => {
  let r = rows;
  if (r.written !== count || count === r.capacity) r = copyGreeksRows(r, count, 2 * count);
  let id = r.lastExpiryId;
  if (g.expiry !== r.lastExpiry) {
    let known = r.expiryIds.get(g.expiry);
    if (known === undefined) {
      known = r.expiries.length;
      r.expiryIds.set(g.expiry, known);
      r.expiries.push(g.expiry);
    }
    id = known;
    r.lastExpiry = g.expiry;
    r.lastExpiryId = id;
  }
  r.contract[count] = g.contract;
  r.expiry[count] = id;
  r.call[count] = g.right === "call" ? 1 : 0;
  r.strike[count] = g.strike;
  r.spot[count] = g.spot;
  r.tYears[count] = g.tYears;
  r.mid[count] = orNaN(g.mid);
  r.iv[count] = orNaN(g.iv);
  r.delta[count] = orNaN(g.delta);
  r.gamma[count] = orNaN(g.gamma);
  r.vega[count] = orNaN(g.vega);
  r.theta[count] = orNaN(g.theta);
  r.vendorIv[count] = orNaN(g.vendor?.iv);
  r.written = count + 1;
  return r;
};

/** What a quote row keeps: an OptionQuote's fields, which a Greeks event carries too. */
export type QuoteFields = Pick<OptionQuote, "contract" | "right" | "bid" | "ask" | "volume" | "openInterest">;

export const appendQuote = (rows: QuoteRows, count: number, q: QuoteFields): QuoteRows => {
  let r = rows;
  if (r.written !== count || count === r.capacity || r.contractKey === undefined)
    r = copyQuoteRows(r, count, Math.max(2 * count, r.capacity));
  r.contract[count] = q.contract;
  r.contractKey[count] = contractKey(q.contract);
  r.call[count] = q.right === "call" ? 1 : 0;
  r.bid[count] = q.bid;
  r.ask[count] = q.ask;
  r.volume[count] = q.volume;
  r.openInterest[count] = q.openInterest;
  r.written = count + 1;
  return r;
};

/** `rows` emptied for the next chain: same columns, no rows, no expiries. Only for columns nobody else reads. */
export const recycleGreeksRows = (rows: GreeksRows): void => {
  rows.written = 0;
  rows.expiryIds.clear();
  rows.expiries.length = 0;
  rows.lastExpiry = undefined;
  rows.lastExpiryId = -1;
};

export const recycleQuoteRows = (rows: QuoteRows): void => {
  rows.written = 0;
};
