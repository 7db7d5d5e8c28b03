"""Forms of the gathering pages: they parse what was sent; the rules live in the service."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import InputRequired, Length, Optional

from assembly.meetings.forms import LANGUAGE_CHOICES, MultiCheckboxField


class GatheringForm(FlaskForm):
    title = StringField(_l("Title"), validators=[InputRequired(_l("This field is required.")),
                                                 Length(max=200)])
    starts_on = DateField(_l("First day"), validators=[InputRequired(_l("Give a date."))])
    ends_on = DateField(_l("Last day (optional)"), validators=[Optional()])
    place = StringField(_l("Place (optional)"), validators=[Optional(), Length(max=200)])
    languages = MultiCheckboxField(_l("Languages spoken"), choices=LANGUAGE_CHOICES,
                                   validate_choice=False)
    visibility = SelectField(_l("Who can read about it"))
    description = TextAreaField(_l("Description (Markdown, optional)"),
                                validators=[Optional(), Length(max=20_000)])


class TableForm(FlaskForm):
    title = StringField(_l("Theme of the table"),
                        validators=[InputRequired(_l("This field is required.")),
                                    Length(max=200)])
    time = TimeField(_l("Starts at (local time, first day)"), validators=[Optional()])
    guiding_questions = TextAreaField(_l("Guiding questions (a Markdown list, one per item)"),
                                      validators=[Optional(), Length(max=20_000)])
    participants = MultiCheckboxField(_l("Participants"), coerce=int, validate_choice=False)
    guests = TextAreaField(_l("Guests without an account (one name per line)"),
                           validators=[Optional(), Length(max=5000)])
    visibility = SelectField(_l("Who can read about it"))


class ReportForm(FlaskForm):
    report_text = TextAreaField(_l("Report (Markdown)"),
                                validators=[Optional(), Length(max=20_000)])
    directions = TextAreaField(_l("Proposals and future directions"),
                               validators=[Optional(), Length(max=20_000)])


class PublishForm(FlaskForm):
    destinations = MultiCheckboxField(_l("Bring the proposals to"), coerce=int,
                                      validate_choice=False)
