-- Emails that concern no registration (a staff member's sign-in link) are deliveries too,
-- with no registration: they are sent, retried and logged like the others, and appear in
-- no registration's delivery log.
ALTER TABLE deliveries ALTER COLUMN registration_id DROP NOT NULL;
