"""The mirror kept fresh by the upstream's webhooks: one subscription per connection and
workspace, whose events patch the mirror as writes' answers do, and whose deliveries (events
and answered pings) keep the kinds they cover fresh without polling.

Free plan: one subscription per workspace with at most three event filters, so the shield
asks for exactly ``time_entry``, ``project`` and ``tag`` (every action): three filters fit
every plan, and ``*`` would bring events of kinds the mirror keeps polling anyway. Clients,
tasks, workspaces, organizations and the user stay on polling; a project's derived fields
(``actual_hours``, ``actual_seconds``) change when an entry of it changes and no project
event is sent for that, so such an entry event marks projects dirty (refreshed at their
next read, lazily)."""

from __future__ import annotations

from trackgate.shield.rules import PROJECTS, TAGS, TIME_ENTRIES

#: the kinds whose events the subscription brings, each with Toggl's entity name
ENTITIES = {"time_entry": TIME_ENTRIES, "project": PROJECTS, "tag": TAGS}
COVERED = tuple(ENTITIES.values())
EVENT_FILTERS = [{"entity": entity, "action": "*"} for entity in ENTITIES]

#: a subscription not heard from this long (no event, no answered ping) is asked to ping
HEARTBEAT_SECONDS = 600.0
#: a kind is fresh without polling while its subscription was heard at most this long ago;
#: past it the shield polls again as without webhooks
LIVE_SECONDS = 900.0
#: event ids are remembered this long to refuse replays (Toggl retries for a week)
REPLAY_WINDOW_SECONDS = 8 * 24 * 3600.0
#: the receiving path, under the gateway's public URL
PATH_PREFIX = "/hooks/toggl/"
