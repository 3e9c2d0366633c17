export * from "./checkpointStore.js";
export * from "./coPartitioning.js";
export * from "./kafkaLiveInput.js";
export * from "./partitionGenerations.js";
export * from "./partitionStates.js";
export * from "./publishReplay.js";
export * from "./recordTopic.js";
export * from "./scaleOut.js";
