from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, TextAreaField
from wtforms.validators import InputRequired, Length

from assembly.care.service import MAX_NOTE


class BreakForm(FlaskForm):
    # The service checks the date again (not in the past, at most a year ahead).
    until = DateField(_l("Taking a break until (the last day)"), validators=[InputRequired()])
    note = TextAreaField(_l("A note for the members (optional, Markdown)"),
                         validators=[Length(max=MAX_NOTE)])
