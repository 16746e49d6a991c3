"""The back office's plumbing, shared by the services that serve its pages: the signed-in
person's session (sessions.py) and the pages' frame, words and rendering (pages.py)."""
