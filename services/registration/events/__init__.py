"""Events: organizers create, change, publish and cancel them; registering reads them
from the cache."""
