-- Waitlists and offers: a full event waitlists new registrations (unless the event turns
-- its waitlist off); a freed seat is offered to the first in line, held until the offer
-- expires. Offered registrations count in events.taken: the seat is theirs until then.
ALTER TABLE events ADD COLUMN waitlist boolean NOT NULL DEFAULT true;

ALTER TABLE registrations DROP CONSTRAINT registrations_status_check;
ALTER TABLE registrations ADD CONSTRAINT registrations_status_check
    CHECK (status IN ('confirmed', 'waitlisted', 'offered', 'cancelled'));
ALTER TABLE registrations
    ADD COLUMN offer_expires_at timestamptz,
    ADD COLUMN cancelled_at timestamptz,
    ADD COLUMN cancel_reason text,
    ADD CONSTRAINT registrations_offer_has_expiry
        CHECK ((status = 'offered') = (offer_expires_at IS NOT NULL));
CREATE INDEX registrations_waitlist ON registrations (event_id, created_at, id)
    WHERE status = 'waitlisted';
CREATE INDEX registrations_open_offers ON registrations (offer_expires_at)
    WHERE status = 'offered';
