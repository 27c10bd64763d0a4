"""trackgate: managed-auth gateway and Toggl-compatible service for Toggl Track."""

__version__ = "0.1.0"
