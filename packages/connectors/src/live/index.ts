export * from "./kafkaLiveInput.js";
export * from "./checkpointStore.js";
export * from "./publishReplay.js";
export * from "./recordTopic.js";
