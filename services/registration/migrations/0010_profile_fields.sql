-- Which profile fields an event's form asks: each required, optional or hidden. Optional
-- is how every event behaved before the setting existed.
ALTER TABLE events
    ADD COLUMN ask_organization text NOT NULL DEFAULT 'optional'
        CHECK (ask_organization IN ('required', 'optional', 'hidden')),
    ADD COLUMN ask_country text NOT NULL DEFAULT 'optional'
        CHECK (ask_country IN ('required', 'optional', 'hidden')),
    ADD COLUMN ask_role text NOT NULL DEFAULT 'optional'
        CHECK (ask_role IN ('required', 'optional', 'hidden'));
