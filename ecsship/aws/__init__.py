"""AWS access: sessions, clients with standard retries, endpoint selection, error translation."""
