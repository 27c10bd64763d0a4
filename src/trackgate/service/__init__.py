"""The Toggl Track v9-compatible service."""
