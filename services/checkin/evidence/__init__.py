"""Attendance evidence: reports, certificates of attendance and checking them."""
