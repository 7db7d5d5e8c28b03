"""A network of two clinics, for gatherings and open discussions."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from assembly.extensions import db


@dataclass
class Network:
    network: object
    port: object
    hill: object
    maria: object  # member of the port clinic
    nikos: object  # member of the hill clinic
    outsider: object  # member of neither


@pytest.fixture
def net(make):
    from assembly.collectives.service import join_network

    port = make.collective("Port Clinic")
    hill = make.collective("Hill Clinic")
    maria, nikos = make.member(port, "Maria"), make.member(hill, "Nikos")
    network = make.collective("Solidarity Network", network=True)
    join_network(network, port, maria)
    join_network(network, hill, nikos)
    db.session.commit()
    return Network(network, port, hill, maria, nikos, make.member(make.collective(), "Outsider"))


@pytest.fixture
def gathering(net):
    from assembly.gatherings import service

    found = service.create_gathering(
        net.network, net.maria, title="Spring gathering", place="Thessaloniki",
        starts_on=date.today() + timedelta(days=10), ends_on=date.today() + timedelta(days=11),
        languages="el en")
    db.session.commit()
    return found


def _reading_client(app):
    """A client that reads streamed exports inside their own request (tests/archive)."""
    from tests.archive.conftest import ReadingClient
    from tests.conftest import WebClient

    client = WebClient(app.test_client())
    client.client = ReadingClient(app.test_client())
    return client


@pytest.fixture
def reader(app):
    return _reading_client(app)


@pytest.fixture
def other_reader(app):
    return _reading_client(app)
