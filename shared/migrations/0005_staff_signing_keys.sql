-- The keys a service signs staff tokens with on its own (back-office sessions, door
-- devices paired from the back office): made at its first start, public halves shared
-- with every service through the NATS KV bucket staff-keys (shared/staff_keys.py).
CREATE TABLE staff_signing_keys (
    key_id text PRIMARY KEY,
    private_key text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
