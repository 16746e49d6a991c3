-- Event details and the registration window; optional participant data that funded
-- projects (Erasmus+) report on.
ALTER TABLE events
    ADD COLUMN description_pl text NOT NULL DEFAULT '',
    ADD COLUMN description_en text NOT NULL DEFAULT '',
    ADD COLUMN room text,
    ADD COLUMN registration_opens_at timestamptz,
    ADD COLUMN registration_closes_at timestamptz,
    ADD CONSTRAINT events_window_in_order CHECK (
        registration_opens_at IS NULL OR registration_closes_at IS NULL
        OR registration_closes_at > registration_opens_at);

ALTER TABLE registrations
    ADD COLUMN organization text,
    ADD COLUMN country char(2) CHECK (country ~ '^[A-Z]{2}$'),
    ADD COLUMN role text CHECK (role IN (
        'student', 'academic_staff', 'teacher', 'company', 'public_body', 'other'));
