import type {
  Event,
  Fill,
  Order,
  PortfolioSnapshot,
  Position,
  Regime,
  RiskDecision,
  Signal,
} from "@thetaflow/schemas";
import { BoundedMap, Ring } from "../tap/boundedMap.js";
import type { TapListener } from "../tap/liveTap.js";

export interface PositionView {
  readonly positionId: string;
  readonly underlying: string;
  readonly strategy: string;
  readonly status: "open" | "closed";
  readonly legs: string;
  readonly realizedPnlCents: number;
  readonly unrealizedPnlCents: number;
  readonly delta: number;
  readonly gamma: number;
  readonly vega: number;
  readonly theta: number;
  readonly eventTime: number;
  readonly exitReason?: string;
}

export interface AlertView {
  readonly at: string;
  readonly rule: string;
  readonly severity: "info" | "warning" | "critical";
  readonly message: string;
}

/** [event time in seconds, equity in USD, drawdown percent] */
export type EquityPoint = readonly [number, number, number];

export interface HealthView {
  readonly status: "running" | "finished" | "halted" | "failed";
  readonly eventsIn: number;
  readonly eventsOut: number;
  readonly deadLetters: number;
  readonly eventsPerSecond: number;
  readonly lastEventTime: number | null;
  readonly clients: number;
  readonly nodes: ReadonlyArray<{
    readonly node: string;
    readonly eventsIn: number;
    readonly eventsOut: number;
    readonly failures: number;
    readonly actors: number;
    readonly maxMailboxDepth: number;
    readonly eventsPerSecond: number;
  }>;
  readonly heartbeats: ReadonlyArray<{ readonly source: string; readonly ageSeconds: number }>;
  readonly killSwitch: string | null;
}

export interface DashboardMessage {
  readonly type: "snapshot" | "delta";
  readonly positions?: readonly PositionView[];
  readonly closedPositions?: readonly PositionView[];
  readonly portfolio?: PortfolioSnapshot | null;
  readonly equity?: { readonly reset: boolean; readonly points: readonly EquityPoint[] };
  readonly signals?: readonly Signal[];
  readonly decisions?: readonly RiskDecision[];
  readonly orders?: readonly Order[];
  readonly fills?: readonly Fill[];
  readonly regimes?: readonly Regime[];
  readonly alerts?: readonly AlertView[];
  readonly health?: HealthView;
}

const MAX_EQUITY_POINTS = 4000;
const HISTORY = 200;

const legSummary = (p: Position): string =>
  p.legs
    .map(
      (l) =>
        `${l.quantity > 0 ? "+" : ""}${l.quantity} ${l.strike}${l.right === "call" ? "C" : "P"} ${l.expiry}`,
    )
    .join(", ");

const viewOf = (p: Position): PositionView => ({
  positionId: p.positionId,
  underlying: p.underlying,
  strategy: p.strategy,
  status: p.status,
  legs: legSummary(p),
  realizedPnlCents: p.realizedPnlCents,
  unrealizedPnlCents: p.unrealizedPnlCents,
  delta: p.delta,
  gamma: p.gamma,
  vega: p.vega,
  theta: p.theta,
  eventTime: p.eventTime,
  ...(p.exitReason === undefined ? {} : { exitReason: p.exitReason }),
});

/**
 * What the dashboard shows, kept up to date per event with O(1) work: latest-value sections
 * (positions, portfolio, regimes) are overwritten, history sections (signals, decisions, orders,
 * fills) are bounded rings, and the equity curve is decimated (every other point dropped, stride
 * doubled) when it fills, so memory stays bounded on any run length.
 */
export class DashboardState implements TapListener {
  readonly #open = new Map<string, PositionView>();
  readonly #closed = new Ring<PositionView>(50);
  #positionsVersion = 0;
  #portfolio: PortfolioSnapshot | null = null;
  #portfolioVersion = 0;
  #equity: EquityPoint[] = [];
  #equityStride = 1;
  #equitySkip = 0;
  #equityEpoch = 0;
  readonly #signals = new Ring<Signal>(HISTORY);
  readonly #decisions = new Ring<RiskDecision>(HISTORY);
  readonly #orders = new BoundedMap<string, Order>(HISTORY);
  #ordersChanged = new Set<string>();
  #ordersVersion = 0;
  readonly #fills = new Ring<Fill>(HISTORY);
  readonly #regimes = new Map<string, Regime>();
  #regimesVersion = 0;
  readonly #alerts = new Ring<AlertView>(50);
  #lastEventTime: number | null = null;
  /** Bumped on every change; the pusher sends only when it moved. */
  version = 0;

  onEvent(event: Event): void {
    switch (event.kind) {
      case "Position": {
        const view = viewOf(event);
        if (event.status === "open") this.#open.set(event.positionId, view);
        else {
          this.#open.delete(event.positionId);
          this.#closed.push(view);
        }
        this.#positionsVersion++;
        break;
      }
      case "PortfolioSnapshot":
        this.#portfolio = event;
        this.#portfolioVersion++;
        this.#appendEquity([
          event.eventTime / 1e6,
          event.equityCents / 100,
          Math.round(event.drawdown * 1e4) / 100,
        ]);
        break;
      case "Signal":
        this.#signals.push(event);
        break;
      case "RiskDecision":
        this.#decisions.push(event);
        break;
      case "Order":
        this.#orders.set(event.orderId, event);
        this.#ordersChanged.add(event.orderId);
        this.#ordersVersion++;
        break;
      case "Fill":
        this.#fills.push(event);
        break;
      case "Regime": {
        const prev = this.#regimes.get(event.underlying);
        this.#regimes.set(event.underlying, event);
        if (prev === undefined || prev.regime !== event.regime || prev.daysInRegime !== event.daysInRegime)
          this.#regimesVersion++;
        break;
      }
      default:
        if (event.kind === "UnderlyingTick" || event.kind === "IndexTick") break;
        return;
    }
    this.#lastEventTime = event.eventTime;
    this.version++;
  }

  addAlert(alert: AlertView): void {
    this.#alerts.push(alert);
    this.version++;
  }

  get lastEventTime(): number | null {
    return this.#lastEventTime;
  }

  #appendEquity(point: EquityPoint): void {
    // After decimation only every stride-th snapshot becomes a point; the portfolio section still
    // carries the latest equity.
    if (this.#equitySkip > 0) {
      this.#equitySkip--;
      return;
    }
    this.#equity.push(point);
    this.#equitySkip = this.#equityStride - 1;
    if (this.#equity.length >= MAX_EQUITY_POINTS) {
      this.#equity = this.#equity.filter((_, i) => i % 2 === 0);
      this.#equityStride *= 2;
      this.#equityEpoch++;
    }
  }

  snapshot(health: HealthView): { message: DashboardMessage; cursor: DashboardCursor } {
    const cursor = this.#cursor();
    return {
      message: {
        type: "snapshot",
        positions: [...this.#open.values()],
        closedPositions: this.#closed.toArray(),
        portfolio: this.#portfolio,
        equity: { reset: true, points: this.#equity },
        signals: this.#signals.toArray(),
        decisions: this.#decisions.toArray(),
        orders: [...this.#orders.values()],
        fills: this.#fills.toArray(),
        regimes: [...this.#regimes.values()],
        alerts: this.#alerts.toArray(),
        health,
      },
      cursor,
    };
  }

  /** Changes since `from`; the same delta goes to every client that is up to date. */
  delta(from: DashboardCursor, health: HealthView): { message: DashboardMessage; cursor: DashboardCursor } {
    const to = this.#cursor();
    const m: { -readonly [K in keyof DashboardMessage]: DashboardMessage[K] } = { type: "delta", health };
    if (to.positions !== from.positions) {
      m.positions = [...this.#open.values()];
      m.closedPositions = this.#closed.since(from.closedTotal);
    }
    if (to.portfolio !== from.portfolio) m.portfolio = this.#portfolio;
    if (to.equityEpoch !== from.equityEpoch || to.equityLength < from.equityLength)
      m.equity = { reset: true, points: this.#equity };
    else if (to.equityLength > from.equityLength)
      m.equity = { reset: false, points: this.#equity.slice(from.equityLength) };
    const signals = this.#signals.since(from.signals);
    if (signals.length > 0) m.signals = signals;
    const decisions = this.#decisions.since(from.decisions);
    if (decisions.length > 0) m.decisions = decisions;
    if (to.orders !== from.orders) {
      m.orders = [...this.#ordersChanged]
        .map((id) => this.#orders.get(id))
        .filter((o): o is Order => o !== undefined);
      this.#ordersChanged.clear();
    }
    const fills = this.#fills.since(from.fills);
    if (fills.length > 0) m.fills = fills;
    if (to.regimes !== from.regimes) m.regimes = [...this.#regimes.values()];
    const alerts = this.#alerts.since(from.alerts);
    if (alerts.length > 0) m.alerts = alerts;
    return { message: m, cursor: to };
  }

  #cursor(): DashboardCursor {
    return {
      positions: this.#positionsVersion,
      closedTotal: this.#closed.total,
      portfolio: this.#portfolioVersion,
      equityEpoch: this.#equityEpoch,
      equityLength: this.#equity.length,
      signals: this.#signals.total,
      decisions: this.#decisions.total,
      orders: this.#ordersVersion,
      fills: this.#fills.total,
      regimes: this.#regimesVersion,
      alerts: this.#alerts.total,
    };
  }
}

export interface DashboardCursor {
  readonly positions: number;
  readonly closedTotal: number;
  readonly portfolio: number;
  readonly equityEpoch: number;
  readonly equityLength: number;
  readonly signals: number;
  readonly decisions: number;
  readonly orders: number;
  readonly fills: number;
  readonly regimes: number;
  readonly alerts: number;
}
