"""Questions an event asks at registration, and checking the answers."""
