-- Request limits shared by every instance of a service (shared/ratelimit.py): one row per key
-- and fixed window. Counters, not business state: UNLOGGED (no WAL; a crash empties it).
CREATE UNLOGGED TABLE rate_limits (
    key text NOT NULL,
    window_start timestamptz NOT NULL,
    used integer NOT NULL,
    PRIMARY KEY (key, window_start)
);
