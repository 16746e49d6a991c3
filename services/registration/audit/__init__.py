"""The audit log of staff actions: kept from audit.recorded, shown per event and registration."""
