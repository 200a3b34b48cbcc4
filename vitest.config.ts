import os from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    pool: "forks",
    // Two test files at a time even on two cores (vitest's default is one fewer than the cores): a small world's night
    // keeps about 1.2 cores busy, and on a 2-core machine the suite took 970 s one file at a time, 650 s two at a time.
    maxWorkers: Math.max(2, os.availableParallelism() - 1),
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ["default"],
  },
});
