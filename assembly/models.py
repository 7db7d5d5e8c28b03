"""Every table, imported in one place so Alembic and ``create_all`` see the whole schema."""

from assembly.care.models import Break
from assembly.collectives.models import Body, BodyParticipant, Collective, NetworkMembership
from assembly.comments.models import Comment, CommentEvent, CommentVersion
from assembly.digest.models import DigestState
from assembly.gatherings.models import Gathering, WorkingTable, WorkingTableProposal
from assembly.implementation.models import ImplementationUpdate
from assembly.live.models import (
    CheckAnswer,
    ConsensusCheck,
    LiveAction,
    LiveHand,
    LiveMeeting,
    LiveNote,
    LiveParticipant,
    LiveSignal,
    LiveTurn,
    Minutes,
)
from assembly.meetings.models import AgendaItem, Meeting, MeetingRole
from assembly.networks.models import NetworkAdoption, ProposalCoBringer
from assembly.people.models import Invitation, Membership, Person
from assembly.proposals.models import (
    Agreement,
    AgreementPosition,
    Proposal,
    ProposalEvent,
    Revision,
)
from assembly.search.models import SearchDocument
from assembly.translated.models import ContentTranslation, TranslationVersion

__all__ = [
    "AgendaItem", "Agreement", "AgreementPosition", "Body", "BodyParticipant", "CheckAnswer",
    "Collective", "Comment", "CommentEvent", "CommentVersion", "ConsensusCheck", "LiveAction",
    "LiveHand", "LiveMeeting", "LiveNote",
    "LiveParticipant", "LiveSignal", "LiveTurn", "Minutes",
    "Invitation", "Meeting", "MeetingRole", "Membership", "NetworkMembership", "Person",
    "Proposal", "ProposalEvent", "Revision", "SearchDocument",
    "DigestState", "ImplementationUpdate", "ContentTranslation", "TranslationVersion",
    "Break",
    "Gathering", "WorkingTable", "WorkingTableProposal",
    "NetworkAdoption", "ProposalCoBringer",
]
