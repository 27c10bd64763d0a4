"""Moving data in and out of the service: imports from Toggl Track, archives, exports, backups."""
