"""Back-office pages that set up events: the list, the event, its parts, publish, cancel."""
