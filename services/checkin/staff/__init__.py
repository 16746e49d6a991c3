"""Door tokens and keys: revoking tokens, their devices, the ticket verifying keys."""
