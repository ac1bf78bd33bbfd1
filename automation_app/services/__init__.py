"""automation_app services: `handling` (the automatic path), `staff` (what officers change)."""
