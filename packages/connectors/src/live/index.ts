export * from "./checkpointStore.js";
export * from "./kafkaLiveInput.js";
export * from "./publishReplay.js";
export * from "./recordTopic.js";
