// Runs before every test file (vitest.config.ts `setupFiles`): what a file's tests made in the temp dir goes
// when the file is done.
import { afterAll } from "vitest";
import { removeTempDirs } from "./helpers/warehouse.ts";

afterAll(() => removeTempDirs());
