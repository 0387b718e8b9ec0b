// GET /api/config as a server with 1000 points and 32 sessions serves it, for the node tests
// (tests/test_web_contract.py checks the file is the server's answer, so it cannot go stale).
import { readFileSync } from "node:fs";

/** @type {Record<string, any>} */
export const CONFIG = JSON.parse(readFileSync(new URL("./fixtures/config.json", import.meta.url), "utf8"));
export const LIMITS = CONFIG.limits;
