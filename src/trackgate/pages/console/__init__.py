"""The web console: people sign in and manage their gateway account's keys and connections;
operators see every account. ``people`` holds the rules (members, invitations, sessions)
apart from HTTP, ``html`` the pages, ``common`` what the handlers share, ``routes`` the
router that assembles the handlers by job (``signin``, ``keys``, ``connections``, ``admin``).
"""
