import { CONTRACT_FEATURE_NAMES } from "../chain/chainSummary.js";

export type FeatureCategory =
  | "options"
  | "volatility"
  | "price_momentum"
  | "volume_oi"
  | "temporal"
  | "derived";

/** One named feature of the FeatureVector: what it is, how it is computed, over which window. */
export interface FeatureSpec {
  readonly name: string;
  readonly category: FeatureCategory;
  /** Operator that computes it. */
  readonly source: "ivSurface" | "volatility" | "regime" | "indicators" | "temporal" | "features";
  readonly formula: string;
  readonly window: string;
}

type Row = readonly [name: string, formula: string, window: string];

const rows = (
  category: FeatureCategory,
  source: FeatureSpec["source"],
  list: readonly Row[],
): FeatureSpec[] => list.map(([name, formula, window]) => ({ name, category, source, formula, window }));

const CHAIN = "one chain";
const TARGET = "ATM strike of the expiry nearest 30 DTE";

const contractRows = (right: "call" | "put"): Row[] => {
  const formulas: Record<(typeof CONTRACT_FEATURE_NAMES)[number], string> = {
    delta: "∂V/∂S at the mid IV",
    gamma: "∂²V/∂S² at the mid IV",
    vega: "∂V/∂σ per 1.00 of σ",
    theta: "∂V/∂t per year (negative = decay)",
    moneyness: "strike / spot",
    log_moneyness: "ln(strike / spot)",
    abs_moneyness: "|strike − spot| / spot",
    gamma_scaled: "gamma · spot²",
    vega_pct: "vega / mid",
    delta_strike_ratio: "delta / (strike / spot)",
    time_value: "mid − intrinsic",
    time_value_pct: "time_value / mid",
    theta_per_day_normalized: "(theta / 365) / time_value",
    bid_ask_spread_pct: "(ask − bid) / mid",
    volume_oi_ratio: "volume / open interest",
    log_volume: "ln(1 + volume)",
    log_open_interest: "ln(1 + open interest)",
    vendor_iv_diff: "our mid IV − vendor IV (comparison with the data vendor)",
  };
  return CONTRACT_FEATURE_NAMES.map(
    (n) => [`atm_${right}_${n}`, `${formulas[n]}, ATM ${right}`, TARGET] as const,
  );
};

const RV_WINDOWS = [5, 10, 20, 60, 120] as const;

const rvRows = (): Row[] =>
  RV_WINDOWS.flatMap((n): Row[] => [
    [`rv_${n}`, "close-to-close: sample std of ln(Cₜ/Cₜ₋₁) · √252", `${n} days`],
    [`rv_parkinson_${n}`, "√(mean(ln(H/L)²) / (4 ln 2)) · √252", `${n} days`],
    [`rv_gk_${n}`, "Garman–Klass: √mean(½ln(H/L)² − (2ln2 − 1)ln(C/O)²) · √252", `${n} days`],
    [
      `rv_yz_${n}`,
      "Yang–Zhang: √(σ²ₒ + kσ²꜀ + (1−k)σ²ᵣₛ) · √252, k = 0.34/(1.34 + (n+1)/(n−1))",
      `${n} days`,
    ],
  ]);

/**
 * The FeatureVector catalog (seeds, architecture 2.2.3 categories A–F, plus the roadmap's earnings
 * features). The features operator emits exactly these names; docs/features.md is generated from it.
 */
export const FEATURE_CATALOG: readonly FeatureSpec[] = [
  ...rows("options", "ivSurface", [
    [
      "iv_atm",
      "ATM IV (strike-interpolated at spot, call/put averaged) at constant 30-day maturity, linear in total variance between expiries",
      CHAIN,
    ],
    ["iv_60d", "ATM IV at constant 60-day maturity", CHAIN],
    ["iv_90d", "ATM IV at constant 90-day maturity", CHAIN],
    ["front_iv_atm", "ATM IV of the nearest expiry with DTE ≥ 1", CHAIN],
    ["iv_term_structure", "iv_60d − iv_atm (seeds: iv_60dte − iv_30dte)", CHAIN],
    ["iv_term_slope", "(iv_90d − iv_atm) / (60/365): IV change per year of maturity", CHAIN],
    ["iv_otm25", "IV of the 25-delta put (delta-interpolated), 30-day constant maturity", CHAIN],
    ["iv_itm25", "IV of the 25-delta call — the strike where puts are 75-delta in the money — 30-day", CHAIN],
    ["skew_25d", "iv_otm25 − iv_itm25 (25-delta risk reversal)", CHAIN],
    ["iv_call", "mid IV of the ATM call", TARGET],
    ["iv_put", "mid IV of the ATM put", TARGET],
    ["iv_skew", "iv_put − iv_call, same strike", TARGET],
    ["straddle_price", "ATM call mid + ATM put mid", TARGET],
    ["expected_move_pct", "straddle_price / spot", TARGET],
    ["expected_move_front_pct", "ATM straddle / spot of the nearest expiry", CHAIN],
    ["front_dte", "calendar days to the nearest listed expiry with DTE ≥ 1", CHAIN],
    ["target_dte", "calendar days to the expiry used for the ATM contract features", CHAIN],
    ["chain_contracts", "contracts in the chain", CHAIN],
    ["chain_iv_ok_share", "share of contracts whose mid IV solved", CHAIN],
    ...contractRows("call"),
    ...contractRows("put"),
  ]),
  ...rows("volatility", "volatility", [
    ...rvRows(),
    ["rv_ratio_20_60", "rv_20 / rv_60", "20, 60 days"],
    ["rv_ratio_5_20", "rv_5 / rv_20", "5, 20 days"],
    ["vol_of_vol", "sample std of daily rv_20", "20 days"],
    ["iv_rank", "(iv_atm − min) / (max − min) of iv_atm", "252 days"],
    ["iv_percentile", "percentileofscore(kind=rank)/100 of iv_atm among the window", "252 days"],
    ["iv_atm_change_1d", "iv_atm − iv_atm one decision earlier", "1 day"],
    ["iv_atm_change_5d", "iv_atm − iv_atm five decisions earlier", "5 days"],
    ["hv_iv_ratio", "rv_20 / (VIX/100) (seeds; `hvIvReference: atm_iv` uses iv_atm)", "20 days"],
    ["hv_iv_spread", "rv_20 − reference IV", "20 days"],
    ["hv_iv_ratio_atm", "rv_20 / iv_atm", "20 days"],
    ["hv_iv_ratio_10", "rv_10 / reference IV", "10 days"],
    ["hv_iv_ratio_60", "rv_60 / reference IV", "60 days"],
    ["vix_hv_iv_ratio", "rv_20 / (VIX/100)", "20 days"],
    ["hv_iv_percentile", "percentile of hv_iv_ratio", "252 days"],
    ["vix", "VIX level (latest at or before the decision)", "1 day"],
    ["vix_rank", "(VIX − min) / (max − min)", "252 days"],
    ["vix_percentile", "percentileofscore(kind=rank)/100 of VIX (the seeds' vix_rank formula)", "252 days"],
    ["vix_change_1d", "VIX − VIX one day earlier", "1 day"],
    ["vix_change_5d", "VIX − VIX five days earlier", "5 days"],
    ["vix_trend", "SMA5(VIX) − SMA20(VIX)", "5, 20 days"],
  ]),
  ...rows("volatility", "regime", [
    [
      "regime",
      "regime code: 0 low_vol, 1 high_vol, 2 iv_expansion, 3 iv_contraction, 4 neutral (CSV: the name)",
      "1 day",
    ],
    ["regime_low_vol", "1 when regime = low_vol", "1 day"],
    ["regime_high_vol", "1 when regime = high_vol", "1 day"],
    ["regime_iv_expansion", "1 when regime = iv_expansion", "1 day"],
    ["regime_iv_contraction", "1 when regime = iv_contraction", "1 day"],
    ["regime_neutral", "1 when regime = neutral", "1 day"],
    ["days_in_current_regime", "decision days in the current regime, today included", "since last change"],
    [
      "regime_transition_probability",
      "empirical hazard: exits from the current regime / days spent in it, so far",
      "history to date",
    ],
  ]),
  ...rows("price_momentum", "indicators", [
    ["close", "daily close", "1 day"],
    ["returns_1d", "Cₜ/Cₜ₋₁ − 1", "1 day"],
    ["returns_5d", "Cₜ/Cₜ₋₅ − 1", "5 days"],
    ["returns_20d", "Cₜ/Cₜ₋₂₀ − 1", "20 days"],
    ["returns_60d", "Cₜ/Cₜ₋₆₀ − 1", "60 days"],
    ["log_returns_1d", "ln(Cₜ/Cₜ₋₁)", "1 day"],
    ["log_returns_5d", "ln(Cₜ/Cₜ₋₅)", "5 days"],
    ["log_returns_20d", "ln(Cₜ/Cₜ₋₂₀)", "20 days"],
    ["log_returns_60d", "ln(Cₜ/Cₜ₋₆₀)", "60 days"],
    ["cumulative_returns_ytd", "Cₜ / last close of the previous year − 1", "year to date"],
    ["rsi_14", "Wilder RSI", "14 days"],
    ["rsi_28", "Wilder RSI", "28 days"],
    ["macd", "EMA12 − EMA26 (SMA-seeded EMAs)", "12, 26 days"],
    ["macd_signal", "EMA9 of macd", "9 days"],
    ["macd_histogram", "macd − macd_signal", "9 days"],
    ["stochastic_k", "100·(C − LL)/(HH − LL)", "14 days"],
    ["stochastic_d", "SMA3 of stochastic_k", "3 days"],
    ["adx", "Wilder ADX", "14 days"],
    ["plus_di", "+DI (Wilder)", "14 days"],
    ["minus_di", "−DI (Wilder)", "14 days"],
    ["atr_14", "Wilder average true range", "14 days"],
    ["sma_20", "simple moving average of closes", "20 days"],
    ["sma_50", "simple moving average of closes", "50 days"],
    ["sma_200", "simple moving average of closes", "200 days"],
    ["ema_12", "exponential moving average, α = 2/13, SMA seed", "12 days"],
    ["ema_26", "exponential moving average, α = 2/27, SMA seed", "26 days"],
    ["price_vs_sma20", "(C − sma_20)/sma_20", "20 days"],
    ["price_vs_sma50", "(C − sma_50)/sma_50", "50 days"],
    ["price_vs_sma200", "(C − sma_200)/sma_200", "200 days"],
    ["sma_crossover", "1 when sma_20 > sma_50", "20, 50 days"],
    ["bb_upper", "SMA20 + 2·σ (population σ)", "20 days"],
    ["bb_middle", "SMA20", "20 days"],
    ["bb_lower", "SMA20 − 2·σ", "20 days"],
    ["bb_percent_b", "(C − lower)/(upper − lower)", "20 days"],
    ["bb_width", "(upper − lower)/middle", "20 days"],
    ["high_52w", "highest high (so far, up to 252 days)", "252 days"],
    ["low_52w", "lowest low (so far, up to 252 days)", "252 days"],
    ["distance_to_52w_high", "C/high_52w − 1", "252 days"],
    ["distance_to_52w_low", "C/low_52w − 1", "252 days"],
    ["support_level", "lowest low", "20 days"],
    ["resistance_level", "highest high", "20 days"],
    ["higher_highs", "1 when Hₜ > Hₜ₋₁ > Hₜ₋₂", "3 days"],
    ["higher_lows", "1 when Lₜ > Lₜ₋₁ > Lₜ₋₂", "3 days"],
  ]),
  ...rows("volume_oi", "indicators", [
    ["volume", "underlying volume", "1 day"],
    ["volume_sma20", "SMA of volume", "20 days"],
    ["volume_ratio", "volume / volume_sma20", "20 days"],
    ["volume_surge", "1 when volume > 2·volume_sma20", "20 days"],
    ["log_volume", "ln(1 + volume)", "1 day"],
  ]),
  ...rows("volume_oi", "ivSurface", [
    ["call_volume", "Σ call volume", CHAIN],
    ["put_volume", "Σ put volume", CHAIN],
    ["option_volume_total", "call_volume + put_volume", CHAIN],
    ["call_oi", "Σ call open interest", CHAIN],
    ["put_oi", "Σ put open interest", CHAIN],
    ["open_interest", "call_oi + put_oi", CHAIN],
    ["put_call_volume_ratio", "put_volume / call_volume", CHAIN],
    ["put_call_oi_ratio", "put_oi / call_oi (seeds' oi_put_call_ratio)", CHAIN],
    ["oi_ratio", "option_volume_total / open_interest", CHAIN],
  ]),
  ...rows("volume_oi", "features", [
    ["oi_change_1d", "open_interest / previous decision's open_interest − 1", "1 day"],
  ]),
  ...rows("temporal", "temporal", [
    ["day_of_week", "ISO weekday, Monday = 1", "1 day"],
    ["is_monday", "1 on Mondays", "1 day"],
    ["is_friday", "1 on Fridays", "1 day"],
    ["day_of_month", "calendar day (New York)", "1 day"],
    ["month_of_year", "1–12", "1 day"],
    ["quarter", "1–4", "1 day"],
    ["days_to_expiration", "calendar days to the next monthly expiration (third Friday)", "calendar"],
    ["time_to_expiration_years", "days_to_expiration / 365", "calendar"],
    ["is_opex_week", "1 in the week of a monthly expiration", "calendar"],
    ["is_fomc_week", "1 in the week of a scheduled FOMC statement", "calendar"],
    ["days_to_fomc", "calendar days to the next scheduled FOMC statement", "calendar"],
    [
      "days_to_earnings",
      "calendar days to the next announced earnings date (null: none known)",
      "EarningsEvents so far",
    ],
    ["days_since_earnings", "calendar days since the last earnings date", "EarningsEvents so far"],
    ["is_earnings_week", "1 in the week of an earnings date", "EarningsEvents so far"],
    ["earnings_window", "1 when days_to_earnings ≤ 2 (earnings model window)", "2 days"],
    ["earnings_blackout", "1 when days_to_earnings ≤ 5 (core model blackout)", "5 days"],
    ["is_earnings_amc", "1 when the next release is after the close", "next earnings"],
    ["is_earnings_bmo", "1 when the next release is before the open", "next earnings"],
    [
      "earnings_actual_move_avg",
      "mean |actual move| of past releases whose reaction day is over",
      "last 8 releases",
    ],
    ["earnings_actual_move_std", "sample std of those |moves|", "last 8 releases"],
  ]),
  ...rows("derived", "indicators", [
    ["returns_lag1", "returns_1d one day earlier", "1 day"],
    ["returns_lag5", "returns_1d five days earlier", "1 day"],
    ["returns_skew_60", "sample skewness of daily returns (pandas skew)", "60 days"],
    ["returns_kurtosis_60", "sample excess kurtosis of daily returns (pandas kurt)", "60 days"],
  ]),
  ...rows("derived", "volatility", [["iv_rank_std_20", "sample std of iv_rank", "20 decisions"]]),
  ...rows("derived", "features", [
    ["iv_rank_lag1", "iv_rank one decision earlier", "1 day"],
    ["iv_rank_lag5", "iv_rank five decisions earlier", "5 days"],
    ["rv_20_lag1", "rv_20 one decision earlier", "1 day"],
    ["vix_rank_lag1", "vix_rank one decision earlier", "1 day"],
    ["regime_lag1", "previous decision's regime code", "1 day"],
    ["regime_changed", "1 when the regime changed at this decision", "1 day"],
    ["iv_rank_x_hv_iv_ratio", "iv_rank · hv_iv_ratio", "—"],
    ["delta_x_vega", "atm_call_delta · atm_call_vega", "—"],
    ["volume_ratio_x_momentum", "volume_ratio · returns_5d", "—"],
    ["iv_atm_minus_rv_20", "iv_atm − rv_20 (variance risk premium proxy)", "20 days"],
    ["earnings_implied_move", "expected_move_front_pct (front ATM straddle / spot)", CHAIN],
    ["implied_vs_historical_move", "earnings_implied_move / earnings_actual_move_avg", "last 8 releases"],
  ]),
];

export const FEATURE_NAMES: readonly string[] = FEATURE_CATALOG.map((f) => f.name);

export const REGIME_CODES = ["low_vol", "high_vol", "iv_expansion", "iv_contraction", "neutral"] as const;

/** The generated docs table (docs/features.md). */
export const featureCatalogMarkdown = (): string => {
  const counts = new Map<FeatureCategory, number>();
  for (const f of FEATURE_CATALOG) counts.set(f.category, (counts.get(f.category) ?? 0) + 1);
  const lines = [
    "# Feature catalog",
    "",
    "<!-- Generated from packages/operators/src/features/catalog.ts by",
    "     `node packages/operators/scripts/features-doc.mjs`; do not edit by hand. -->",
    "",
    `The \`features\` operator emits one FeatureVector per underlying per decision time with these ${FEATURE_CATALOG.length}`,
    "features. A feature whose inputs are missing is `null` and listed in the vector's `missing` mask — never",
    "silently zero. Every value at decision time T uses only events with event time ≤ T.",
    "",
    `Counts: ${[...counts].map(([c, n]) => `${c} ${n}`).join(", ")}.`,
    "",
    "| # | name | category | operator | formula | window |",
    "|---|------|----------|----------|---------|--------|",
    ...FEATURE_CATALOG.map(
      (f, i) =>
        `| ${i + 1} | \`${f.name}\` | ${f.category} | ${f.source} | ${f.formula.replaceAll("|", "\\|")} | ${f.window} |`,
    ),
    "",
  ];
  return lines.join("\n");
};
