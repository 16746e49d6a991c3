"""The organizers' live dashboard: its page, sign-in, stream, templates and files."""
