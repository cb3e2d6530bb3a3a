-- The public statistics export is served from the last published release (README "Public
-- statistics"): finding it must not scan the whole log on an anonymous request. Publications are
-- few, so a partial index over them costs nothing on appends of every other event.
CREATE INDEX events_publications ON events (position) WHERE event_type = 'PublicacionRealizada';
