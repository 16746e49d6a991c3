"""Scans at the door: the verdict (rules.py), recording it (scanning.py, batcher.py)."""
