"""A network with two member collectives (a clinic and a language school) and one collective
outside it. Members-only network content carries a canary string."""

from dataclasses import dataclass

import pytest

from assembly.collectives.service import join_network
from assembly.extensions import db
from tests.archive.conftest import ReadingClient
from tests.conftest import WebClient

CANARY = "CANARY-NETWORK-5e1c"


@dataclass
class Network:
    network: object
    clinic: object
    school: object
    outside: object
    ana: object  # clinic member
    eve: object  # school member
    dora: object  # member of a collective outside the network

    def agreed(self, make, *, title="Shared purchasing", visibility="public", text="We share."):
        return make.proposal(make.assembly(self.network), self.ana, "agreed", title=title,
                             visibility=visibility, text=text)


@pytest.fixture
def net(make):
    network = make.collective("Solidarity Network", network=True, slug="network")
    clinic = make.collective("Social Clinic", slug="clinic")
    school = make.collective("Language School", slug="school")
    outside = make.collective("Clinic Elsewhere", slug="elsewhere")
    ana = make.member(clinic, "Ana")
    eve = make.member(school, "Eve")
    dora = make.member(outside, "Dora")
    join_network(network, clinic, ana)
    join_network(network, school, eve)
    db.session.commit()
    return Network(network, clinic, school, outside, ana, eve, dora)


@pytest.fixture
def web(app):
    """The CSRF-aware client, reading streamed exports inside their request (tests/archive)."""
    client = WebClient(app.test_client())
    client.client = ReadingClient(app.test_client())
    return client
