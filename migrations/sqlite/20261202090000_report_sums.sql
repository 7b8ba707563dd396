-- The community-health reports' sums, one row per metric, day and subject: a closed day's counts,
-- posts per kind, its best contributors and tags; a closed week's contributors and tags (on its
-- Monday); questions asked and histograms of answer and flag-resolution times (subject = bucket);
-- sign-up retention per sign-up day. Keyed by metric first, so a period reads each metric as one
-- range of days. The `report_rollup` job fills it from its next run; `report_rollups`, the day
-- rows of the first layout, is no longer read or written.
CREATE TABLE report_sums (
    metric TEXT NOT NULL,
    day BIGINT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    value BIGINT NOT NULL,
    PRIMARY KEY (metric, day, subject)
);
