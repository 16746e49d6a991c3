"""Sessions (workshops) of an event, and the registrations' places in them."""
