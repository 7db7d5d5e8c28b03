"""Forms of the meeting pages. The rules (ranges, languages, who may hold a role) live in
``meetings.service``; these forms only parse what was sent, so the service's messages are the
ones people see."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
    widgets,
)
from wtforms.validators import InputRequired, Length, Optional

from assembly.people.service import LANGUAGES

NUMBER_MESSAGE = _l("Give a whole number of minutes.")
LANGUAGE_CHOICES = [SelectChoice(code, name) for code, name in LANGUAGES.items()]


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _optional_id(value):
    return int(value) if str(value or "").isdigit() else None


class NoCsrfForm(FlaskForm):
    """The page holds many small forms; each carries the page's CSRF token by hand
    (``csrf_token()``), and CSRFProtect checks every POST before the view runs."""

    class Meta:
        csrf = False


class MeetingForm(FlaskForm):
    date = DateField(_l("Date"), validators=[InputRequired(_l("Give a date."))])
    time = TimeField(_l("Starts at (local time)"),
                     validators=[InputRequired(_l("Give a time, e.g. 19:00."))])
    duration_minutes = IntegerField(_l("Duration (minutes)"), default=120,
                                    validators=[InputRequired(NUMBER_MESSAGE)])
    title = StringField(_l("Title (optional)"), validators=[Optional(), Length(max=200)])
    place = StringField(_l("Place (optional)"), validators=[Optional(), Length(max=200)])
    online_link = URLField(_l("Online link (optional)"), validators=[Optional(), Length(max=300)])
    languages = MultiCheckboxField(_l("Languages spoken"), choices=LANGUAGE_CHOICES,
                                   validate_choice=False)
    visibility = SelectField(_l("Who can read about it"))
    open_discussion = BooleanField(_l("Open discussion for incomers: nothing is decided at it"))
    interpretation_languages = MultiCheckboxField(_l("Interpretation into (optional)"),
                                                  choices=LANGUAGE_CHOICES,
                                                  validate_choice=False)


class OpenDiscussionForm(NoCsrfForm):
    """Mark (or unmark) a planned meeting as an open discussion, on the meeting's page."""

    open_discussion = BooleanField(_l("Open discussion for incomers: nothing is decided at it"))
    interpretation_languages = MultiCheckboxField(_l("Interpretation into (optional)"),
                                                  choices=LANGUAGE_CHOICES,
                                                  validate_choice=False)


class TimeBoxForm(NoCsrfForm):
    time_box_minutes = IntegerField(_l("Time box (minutes)"),
                                    validators=[InputRequired(NUMBER_MESSAGE)])


class FreePointForm(NoCsrfForm):
    title = StringField(_l("Title"), validators=[InputRequired(_l("This field is required.")),
                                                 Length(max=200)])
    time_box_minutes = IntegerField(_l("Time box (minutes)"), default=10,
                                    validators=[InputRequired(NUMBER_MESSAGE)])
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=5000)])


class MoveForm(NoCsrfForm):
    direction = SelectField(choices=[SelectChoice("up", _l("Move up")),
                                     SelectChoice("down", _l("Move down"))])


class RoleForm(NoCsrfForm):
    person_id = SelectField(_l("Person"), coerce=_optional_id, validate_choice=False)
    language = SelectField(_l("Interprets into"), validate_choice=False,
                           choices=[SelectChoice("", _l("(choose a language)")),
                                    *LANGUAGE_CHOICES])
