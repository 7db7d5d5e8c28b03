"""Forms for collectives, networks and bodies. Choices that depend on the person or the
collective are filled in by the view; the rules themselves live in ``collectives.service``."""

from collections import defaultdict
from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from assembly.core.db import Visibility
from assembly.people.service import LANGUAGES

MAX_DESCRIPTION = 5000


def optional_id(value):
    return int(value) if value not in (None, "", "None") else None


def timezone_choices() -> dict[str, list[tuple[str, str]]]:
    """Time zones grouped by region (rendered as option groups), cities readable."""
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for zone in sorted(available_timezones()):
        region, _sep, place = zone.partition("/")
        if place and not zone.startswith(("Etc/", "SystemV/")):
            groups[region].append((zone, place.replace("_", " ").replace("/", " / ")))
    groups["UTC"] = [("UTC", "UTC")]
    return dict(sorted(groups.items()))


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes, which work everywhere without JavaScript."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class CollectiveForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    slug = StringField(_l("Short name for addresses (optional)"),
                       validators=[Optional(), Length(max=60)])
    main_language = SelectField(_l("Main language"), choices=list(LANGUAGES.items()))
    languages = CheckboxesField(_l("Other languages spoken"), choices=list(LANGUAGES.items()))
    timezone = SelectField(_l("Time zone"), default="UTC")
    description = TextAreaField(_l("Description (Markdown, optional)"),
                                validators=[Optional(), Length(max=MAX_DESCRIPTION)])
    is_network = BooleanField(_l("This is a network of collectives"))
    joining_id = SelectField(_l("Which of your collectives joins the network"),
                             coerce=optional_id, validate_choice=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()

    def language_codes(self) -> str:
        main = self.main_language.data
        return " ".join([main, *(code for code in self.languages.data or [] if code != main)])


class JoinNetworkForm(FlaskForm):
    network_id = SelectField(_l("Choose a network"), coerce=optional_id)
    network_slug = StringField(_l("…or type the network's short name"),
                               validators=[Optional(), Length(max=60)])


class WorkingGroupForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    purpose = TextAreaField(_l("Purpose (Markdown)"),
                            validators=[Optional(), Length(max=MAX_DESCRIPTION)])
    visibility = RadioField(
        _l("Who can read its proposals and meetings"),
        choices=[(v.value, v.label) for v in Visibility],
        default=Visibility.PUBLIC.value,
    )


VISIBILITY_EXPLANATIONS = {
    Visibility.PUBLIC.value: _l("The open archive: anyone can read it, with or without an "
                                "account. This is the usual choice."),
    Visibility.MEMBERS.value: _l("Only members of the collective can read it."),
    Visibility.CONFIDENTIAL.value: _l("Only the people named as its participants even know it "
                                      "exists, e.g. a case assembly about psychological "
                                      "support. You are its first participant and can add "
                                      "others."),
}


class ParticipantForm(FlaskForm):
    person_id = SelectField(_l("Member to add"), coerce=optional_id,
                            validators=[InputRequired()])


class RhythmForm(FlaskForm):
    weekday = SelectField(_l("Day of the week"), coerce=optional_id)
    time = StringField(_l("Time (HH:MM)"), validators=[Optional(), Length(max=5)],
                       render_kw={"placeholder": "19:00", "inputmode": "numeric",
                                  "autocomplete": "off"})
    every_weeks = IntegerField(_l("Every how many weeks"), default=1,
                               validators=[InputRequired(), NumberRange(min=1, max=8)])
    minutes = IntegerField(_l("Duration in minutes"), default=120,
                           validators=[InputRequired(), NumberRange(min=15, max=600)])
    place = StringField(_l("Usual place (optional)"), validators=[Optional(), Length(max=200)])
