"""The staff accounts of the back office: people, roles, signing in, the second factor."""
