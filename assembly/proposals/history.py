"""A proposal's log in words: one description per kind of event, for the history on its page,
its feeds and a member's "what changed" page alike."""

from flask_babel import gettext as _

from assembly.proposals.models import EventKind, Phase, ProposalEvent


def _phase(value: str | None) -> str:
    return str(Phase(value).label) if value else ""


def describe_event(event: ProposalEvent) -> str:
    who = event.actor.display_name if event.actor else _("someone")
    data = event.data or {}
    if event.kind == EventKind.CREATED:
        return _("%(who)s named this proposal.", who=who)
    if event.kind == EventKind.REVISED:
        return _("%(who)s saved revision %(n)s.", who=who, n=data.get("revision"))
    if event.kind == EventKind.IMPLEMENTATION:
        from assembly.implementation.service import describe_update  # (it imports proposals)

        return describe_update(data.get("status"), who, data.get("percent"))
    if event.kind == EventKind.CO_BRINGER_ADDED:
        return _("%(who)s added %(body)s (%(collective)s) to the bodies bringing it.", who=who,
                 body=data.get("body_name"), collective=data.get("collective"))
    if event.kind == EventKind.CO_BRINGER_WITHDRAWN:
        return _("%(who)s recorded that %(body)s (%(collective)s) no longer brings it.",
                 who=who, body=data.get("body_name"), collective=data.get("collective"))
    return _("%(who)s moved it from “%(source)s” to “%(target)s”.", who=who,
             source=_phase(event.from_phase), target=_phase(event.to_phase))
