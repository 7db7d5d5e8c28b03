"""Stories about one clinic, its members, a stranger from another clinic and a network."""

import pytest

CANARY = "CANARY-7f3a"


class Clinic:
    def __init__(self, make):
        self.collective = make.collective("Κοινωνικό Ιατρείο", slug="clinic",
                                          description="We care for everyone.\nSecond line.")
        self.maria = make.member(self.collective, "Maria")
        self.ahmad = make.member(self.collective, "Ahmad")
        self.assembly = make.assembly(self.collective)
        self.other = make.collective("Language School", slug="school")
        self.stranger = make.member(self.other, "Stranger")

    def url(self, suffix=""):
        return f"/c/{self.collective.slug}/{suffix}"

    def body_url(self, body, suffix=""):
        return f"/c/{self.collective.slug}/b/{body.slug}/{suffix}"


@pytest.fixture
def clinic(make):
    return Clinic(make)


@pytest.fixture
def secret_group(make, clinic):
    """A confidential case assembly whose name must never reach non-participants."""
    return make.working_group(clinic.collective, clinic.maria, name=f"Case {CANARY}",
                              visibility="confidential", purpose=f"Support {CANARY} here.")
