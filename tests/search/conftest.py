"""A clinic whose public, members-only and confidential spaces hold distinctive words."""

from dataclasses import dataclass

import pytest

CONFIDENTIAL_CANARY = "CANARYCONFIDENTIAL91b2"
MEMBERS_CANARY = "CANARYMEMBERS55c7"


@dataclass
class Clinic:
    clinic: object
    ana: object  # member, participant of the confidential case assembly
    bob: object  # member, not a participant
    dora: object  # member of another collective
    assembly: object
    finances: object
    care: object
    public: object
    members_only: object
    secret: object


@pytest.fixture
def clinic(make):
    clinic = make.collective("Social Clinic", languages="el en ar")
    elsewhere = make.collective("Clinic Elsewhere")
    ana, bob = make.member(clinic, "Ana"), make.member(clinic, "Bob")
    dora = make.member(elsewhere, "Dora")
    assembly = make.assembly(clinic)
    finances = make.working_group(clinic, ana, "Finances", visibility="members")
    care = make.working_group(clinic, ana, "Case assembly", visibility="confidential")
    public = make.proposal(
        assembly, ana, "drafting", title="Γενική Συνέλευση για το φαρμακείο",
        text="Η κοινωνική κλινική ανοίγει το Σάββατο. العيادة الاجتماعية مفتوحة يوم السبت. "
             "مُسْتَشْفَى الحيّ")
    members_only = make.proposal(finances, ana, title="The accounts",
                                 text=f"The rent is late. {MEMBERS_CANARY}")
    secret = make.proposal(care, ana, "drafting", title="Support for a family",
                           text=f"What the family told us. {CONFIDENTIAL_CANARY}")
    return Clinic(clinic, ana, bob, dora, assembly, finances, care, public, members_only, secret)
