-- A change counter per sitemap part (ids [(part - 1) * 49000, part * 49000), see
-- db::posts::feeds::SITEMAP_PART_IDS), bumped by triggers whenever an article or question in that
-- range is written in a way the sitemap shows (created, published or hidden, renamed, active). A
-- server keeps the parts it rendered with the counter they were rendered at and serves them again
-- while the counter has not moved, so a part is read and rendered once per change, not per visit.
CREATE TABLE sitemap_stamps (
    part BIGINT PRIMARY KEY,
    changes BIGINT NOT NULL DEFAULT 0
);

CREATE FUNCTION sitemap_stamped() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    row_id BIGINT;
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.kind NOT IN ('article', 'question') THEN RETURN NULL; END IF;
        row_id := OLD.id;
    ELSIF TG_OP = 'UPDATE' THEN
        IF NEW.kind NOT IN ('article', 'question') AND OLD.kind NOT IN ('article', 'question') THEN
            RETURN NULL;
        END IF;
        IF NEW.kind IS NOT DISTINCT FROM OLD.kind AND NEW.status IS NOT DISTINCT FROM OLD.status
           AND NEW.slug IS NOT DISTINCT FROM OLD.slug
           AND NEW.last_activity_at IS NOT DISTINCT FROM OLD.last_activity_at THEN
            RETURN NULL;
        END IF;
        row_id := NEW.id;
    ELSE
        IF NEW.kind NOT IN ('article', 'question') THEN RETURN NULL; END IF;
        row_id := NEW.id;
    END IF;
    INSERT INTO sitemap_stamps (part, changes) VALUES (row_id / 49000 + 1, 1)
    ON CONFLICT (part) DO UPDATE SET changes = sitemap_stamps.changes + 1;
    RETURN NULL;
END;
$$;

CREATE TRIGGER sitemap_stamped AFTER INSERT OR DELETE OR UPDATE OF kind, status, slug, last_activity_at
    ON posts FOR EACH ROW EXECUTE FUNCTION sitemap_stamped();
