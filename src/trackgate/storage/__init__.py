"""Persistence: one SQLAlchemy schema, SQLite or PostgreSQL behind it."""
