export { commandRegistrars } from "./commands/index.js";
