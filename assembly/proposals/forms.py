"""One small form per step of the lifecycle; the choices are filled in by the view."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from assembly.core.db import Visibility
from assembly.proposals.models import PositionKind
from assembly.proposals.service import MAX_REASON, MAX_TEXT, MAX_TITLE, text_size_error

REASON = _l("Reason")
MEETING = _l("At which meeting (if any)")


def _optional_id(value):
    return int(value) if value not in (None, "", "None") else None


def text_size(form, field):
    """The same bounds as the service, in the same words (characters and bytes)."""
    if (message := text_size_error(field.data)) is not None:
        raise ValidationError(message)


class ProposalForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=MAX_TITLE)])
    text = TextAreaField(_l("Text (Markdown, optional for now)"),
                         validators=[text_size, Optional()])
    visibility = SelectField(
        _l("Who can read it"),
        choices=[(Visibility.PUBLIC.value, Visibility.PUBLIC.label),
                 (Visibility.MEMBERS.value, Visibility.MEMBERS.label),
                 (Visibility.CONFIDENTIAL.value, Visibility.CONFIDENTIAL.label)],
    )
    # Choices are the collective's languages first (proposals.views).
    language = SelectField(_l("Written in"), validators=[Optional()])


class EditForm(FlaskForm):
    text = TextAreaField(_l("Text (Markdown)"), validators=[text_size, DataRequired()])
    summary = StringField(_l("What did you change? (short)"),
                          validators=[Optional(), Length(max=200)])
    base_revision = HiddenField()


class RestoreForm(FlaskForm):
    base_revision = HiddenField()


class ReturnForm(FlaskForm):
    reason = TextAreaField(_l("What the group did (recorded as the reason)"),
                           validators=[DataRequired(), Length(max=MAX_REASON)])


class ReasonForm(FlaskForm):
    reason = TextAreaField(REASON, validators=[Optional(), Length(max=MAX_REASON)])
    meeting_id = SelectField(MEETING, coerce=_optional_id, validate_choice=False)


class DelegateForm(ReasonForm):
    working_group_id = SelectField(_l("Working group"), coerce=_optional_id,
                                   validators=[InputRequired()], validate_choice=False)
    mandate = TextAreaField(_l("Mandate: what the group should elaborate (Markdown)"),
                            validators=[DataRequired(), Length(max=MAX_TEXT)])
    return_date = DateField(_l("Return date"), validators=[InputRequired()])
    return_body_id = SelectField(_l("Returns to"), coerce=_optional_id, validate_choice=False)


class AgendaForm(ReasonForm):
    time_box_minutes = IntegerField(_l("Time box (minutes)"), default=15,
                                    validators=[InputRequired(), NumberRange(1, 240)])


class PositionForm(Form):
    kind = SelectField(_l("Position"), default="", choices=[
        ("", _l("(none)")),
        (PositionKind.STAND_ASIDE.value, PositionKind.STAND_ASIDE.label),
        (PositionKind.RESERVATION.value, PositionKind.RESERVATION.label),
    ])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=80)])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=MAX_REASON)])


class BlockForm(Form):
    name = StringField(_l("Who blocks"), validators=[Optional(), Length(max=80)])
    reason = StringField(_l("Reason of the block"), validators=[Optional(), Length(max=MAX_REASON)])


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class AgreeForm(ReasonForm):
    review_date = DateField(_l("Re-evaluate on"), validators=[InputRequired()])
    implementers = TextAreaField(_l("Who implements it"), validators=[Optional(), Length(max=2000)])
    implementer_body_id = SelectField(_l("Implementing body (optional)"), coerce=_optional_id,
                                      validate_choice=False)
    deadline = DateField(_l("Implemented by (optional)"), validators=[Optional()])
    present = MultiCheckboxField(_l("Who was present"), coerce=int, validate_choice=False)
    guests_present = IntegerField(_l("Guests present (without an account)"), default=0,
                                  validators=[Optional(), NumberRange(0, 10_000)])
    positions = FieldList(FormField(PositionForm), min_entries=3, max_entries=50)
    agreed_revision = HiddenField()


class PostponeForm(ReasonForm):
    blocks = FieldList(FormField(BlockForm), min_entries=2, max_entries=50)


class ConfirmForm(ReasonForm):
    next_review_date = DateField(_l("Next re-evaluation on"), validators=[InputRequired()])
    process_note = TextAreaField(_l("About the process: what would we do differently?"),
                                 validators=[Optional(), Length(max=MAX_REASON)])


class EndReviewForm(ReasonForm):
    process_note = TextAreaField(_l("About the process: what would we do differently?"),
                                 validators=[Optional(), Length(max=MAX_REASON)])
