"""The managed-auth gateway: accounts, keys, connections, connect page and proxy."""
