-- The frozen calibration of each model version: the first warm candidate (int_calibration_candidate) is
-- appended and never changed afterwards, so a score of 40 means the same thing every day of a version.
-- A new model_version gets its own calibration on its first warm night.
-- grain: one row per model version × segment
-- key: model_version, segment
select
    model_version,
    calibrated_on,
    segment,
    raw_from,
    raw_to,
    score_from,
    score_to,
    calibration_people,
    days_with_engagement
from intermediate.int_calibration_candidate
where is_warm
