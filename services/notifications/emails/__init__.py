"""Emails: what each says (composing.py, from its delivery's payload, in the texts of
texts.py and the templates/), rendered to MIME (mailer.py) and sent (sender.py)."""
