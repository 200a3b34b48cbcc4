import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Warehouse } from "../../src/lib/warehouse.ts";
import { memoryWarehouse, modelSql } from "../helpers/warehouse.ts";

// int_calibration_candidate's warmth: the calibration freezes only once the window has enough days with weighted
// engagement (calibration_min_days). The model's SQL file runs as it is over a hand-made window; the days are
// counted by hand, in UTC, from the actions below.

const SQL = modelSql("sql/intermediate/scoring/int_calibration_candidate.sql");

describe("int_calibration_candidate", () => {
  let wh: Warehouse;
  beforeEach(async () => {
    wh = await memoryWarehouse();
    await wh.run("set variable run_date = date '2026-11-24'");
    await wh.run(`
      create table intermediate.int_model_parameters as
        select '2026.test' as model_version, 2 as calibration_min_people, 3 as calibration_min_days;
      create table intermediate.int_person_factors_smoothed as
        select date '2026-11-24' as as_of, 'p' || n::varchar as person_id, n * 1.0 as value from range(1, 11) as t(n);
      create table intermediate.int_engagements_windowed (occurred_at timestamptz, action_weight double);
    `);
  });
  afterEach(() => wh.close());

  const days = async () =>
    (await wh.all<{ d: number; warm: boolean }>(`select distinct days_with_engagement::integer as d, is_warm as warm from (${SQL})`));

  it("counts the UTC days with a weighted engagement, and is warm from calibration_min_days of them", async () => {
    await wh.run(`insert into intermediate.int_engagements_windowed values
      (timestamptz '2026-11-20 00:00:00+00', 1.0),
      (timestamptz '2026-11-20 23:59:59+00', 2.0),
      -- the same instant as 2026-11-22 in UTC, written in another zone
      (timestamptz '2026-11-21 20:30:00-05', 1.0),
      -- a follow has no weight: its day does not count
      (timestamptz '2026-11-23 12:00:00+00', 0.0)`);
    expect(await days()).toEqual([{ d: 2, warm: false }]);
    await wh.run("insert into intermediate.int_engagements_windowed values (timestamptz '2026-11-24 23:00:00+00', 0.5)");
    expect(await days()).toEqual([{ d: 3, warm: true }]);
  });
});
