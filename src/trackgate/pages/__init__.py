"""Every page a person sees: the landing page, the connect page and the web console.

Pages are rendered on the server from small functions that escape every value they put in
(:mod:`trackgate.pages.shell` holds the frame). They share one stylesheet and one script (the
console's "Copy" button), served from ``static/`` by this process: no page fetches anything
from elsewhere, and no page carries an inline script or style, so the policy in
:data:`~trackgate.pages.shell.PAGE_HEADERS` can forbid both.
"""
