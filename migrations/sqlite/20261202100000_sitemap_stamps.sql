-- A change counter per sitemap part (ids [(part - 1) * 49000, part * 49000), see
-- db::posts::feeds::SITEMAP_PART_IDS), bumped by triggers whenever an article or question in that
-- range is written in a way the sitemap shows (created, published or hidden, renamed, active). A
-- server keeps the parts it rendered with the counter they were rendered at and serves them again
-- while the counter has not moved, so a part is read and rendered once per change, not per visit.
CREATE TABLE sitemap_stamps (
    part BIGINT PRIMARY KEY,
    changes BIGINT NOT NULL DEFAULT 0
);

CREATE TRIGGER sitemap_stamped_insert AFTER INSERT ON posts
WHEN NEW.kind IN ('article', 'question') BEGIN
    INSERT INTO sitemap_stamps (part, changes) VALUES (NEW.id / 49000 + 1, 1)
    ON CONFLICT (part) DO UPDATE SET changes = changes + 1;
END;

CREATE TRIGGER sitemap_stamped_update AFTER UPDATE OF kind, status, slug, last_activity_at ON posts
WHEN NEW.kind IN ('article', 'question') OR OLD.kind IN ('article', 'question') BEGIN
    INSERT INTO sitemap_stamps (part, changes) VALUES (NEW.id / 49000 + 1, 1)
    ON CONFLICT (part) DO UPDATE SET changes = changes + 1;
END;

CREATE TRIGGER sitemap_stamped_delete AFTER DELETE ON posts
WHEN OLD.kind IN ('article', 'question') BEGIN
    INSERT INTO sitemap_stamps (part, changes) VALUES (OLD.id / 49000 + 1, 1)
    ON CONFLICT (part) DO UPDATE SET changes = changes + 1;
END;
