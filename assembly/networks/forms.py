"""Forms of convergence. Choices that depend on the person are filled in by the view."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from assembly.collectives.forms import optional_id
from assembly.networks.models import AdoptionState
from assembly.networks.service import MAX_NOTE
from assembly.proposals.service import MAX_REASON


class CoBringerForm(FlaskForm):
    body_id = SelectField(_l("Body that brings it jointly"), coerce=optional_id,
                          validators=[InputRequired()])
    reason = TextAreaField(_l("Why it brings this proposal (optional)"),
                           validators=[Optional(), Length(max=MAX_REASON)])


class WithdrawForm(FlaskForm):
    reason = TextAreaField(_l("Why it no longer brings it (optional)"),
                           validators=[Optional(), Length(max=MAX_REASON)])


class AdoptionForm(FlaskForm):
    state = RadioField(_l("How the collective takes it up"),
                       choices=[(s.value, s.label) for s in AdoptionState],
                       validators=[InputRequired()])
    note = TextAreaField(_l("Note (Markdown; for an adaptation, what changes here)"),
                         validators=[Optional(), Length(max=MAX_NOTE)])
    meeting_id = SelectField(_l("Decided at the meeting"), coerce=optional_id)
    local_proposal_id = SelectField(_l("Our own proposal carrying it (optional)"),
                                    coerce=optional_id)
