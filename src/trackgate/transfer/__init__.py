"""Taking the service's data out and bringing it back: archives, exports, backups."""
