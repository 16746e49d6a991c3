"""The door app (its page and files) working offline: the offline pack, uploaded scans."""
