-- Community-health reports: per-day rollups filled by the `report_rollup` job (one row per day,
-- metric and subject: a post kind, a member id, a tag name) and one row per question with the
-- times to its first human answer and to its accepted answer; plus the indexes the reports' live
-- queries need.
CREATE TABLE report_rollups (
    day BIGINT NOT NULL,
    metric TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    value BIGINT NOT NULL,
    PRIMARY KEY (day, metric, subject)
);
CREATE TABLE report_questions (
    question_id BIGINT PRIMARY KEY,
    asked_day BIGINT NOT NULL,
    first_answer_secs BIGINT,
    accepted_secs BIGINT
);
CREATE INDEX report_questions_by_day ON report_questions (asked_day);
CREATE INDEX user_visits_by_day ON user_visits (day, user_id);
CREATE INDEX flags_by_resolution ON flags (resolved_at);
