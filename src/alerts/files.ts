/**
 * The alerts' JSON files go through this one module (src/shared/jsonFile.ts does the work), so a test
 * can watch or fail the alerts' writes in one place (tests/alerts/inflight.test.ts counts them).
 */
export { readJsonFile, writeJsonAtomic } from "../shared/jsonFile.js";
export { prepareFileAtomic } from "../shared/atomicFile.js";
