export * from "./logistic.js";
export * from "./lstmNet.js";
export * from "./modelBundle.js";
export * from "./treeEnsemble.js";
