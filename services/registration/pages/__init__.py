"""The public pages: the catalogue, the event page with its form, the manage page."""
