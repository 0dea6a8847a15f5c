// The tests take free ports from the sandbox's helper (one implementation).
export { freePort } from "../../src/sandbox/freePort.js";
