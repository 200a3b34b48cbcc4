-- Every parameter of the scoring model, in one place. docs/methodology.md explains each one; every
-- scoring model reads them from here, so changing one is one edit (and a new model_version).
-- grain: one row
select
    '2026.11.1' as model_version,
    -- the rolling window of engagement that counts, ending on the score date (inclusive)
    90 as window_days,
    -- an engagement loses half its weight every half_life_days
    30.0 as half_life_days,
    -- the fixed time int_engagement_pairs decays each action to, and int_engagement_pair_weights decays back from: not
    -- a scoring choice (any time gives the same weights), but both must use the same one
    timestamptz '2020-01-01 00:00:00+00' as decay_reference_at,
    -- repeat engagement from one person saturates: worth 1 - exp(-total_weight / saturation_weight)
    1.0 as saturation_weight,
    -- busy reactors: an engager of more than this many distinct people counts sqrt(threshold / n) as much
    100 as busy_reactor_threshold,
    -- amplification is shrunk toward the network's mean as if the account had this many extra average posts
    5.0 as amplification_prior_posts,
    -- a network's subscore is ln(1 + true_reach) * (1 + w_a * ln(1 + amplification) + w_n * ln(1 + network_score))
    0.25 as amplification_weight,
    0.25 as network_score_weight,
    -- networks are combined strongest first, each next one counting this much less: s1 + d*s2 + d^2*s3 …
    0.5 as network_combination_decay,
    -- day-to-day smoothing: the score reads a weighted mean of the last smoothing_days daily values,
    -- weights smoothing_decay^k for the day k days back
    7 as smoothing_days,
    0.5 as smoothing_decay,
    -- the calibration of a model version is frozen on the first night whose window holds at least this
    -- many days with engagement and this many people with an engaged audience
    7 as calibration_min_days,
    50 as calibration_min_people,
    -- bot likelihood: a ring is a closed audience engaging each other repeatedly
    5 as bot_ring_min_people,
    5.0 as bot_ring_min_repeat,
    -- spray bots engage far more than anyone engages them back (given / received, log10 scale)
    50 as bot_spray_min_people,
    -- follow farms follow en masse and never engage
    1000 as bot_follow_farm_follows,
    -- topic evidence: what others engage with you about counts this many times what you post
    3.0 as topic_engaged_weight,
    1.0 as topic_post_weight
