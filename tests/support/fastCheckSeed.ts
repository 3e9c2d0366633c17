import fc from "fast-check";

// Property tests run from a fixed seed so `npm test` is deterministic; set FC_SEED to explore others
// (a failure prints its seed and path to replay it).
fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261122) });
