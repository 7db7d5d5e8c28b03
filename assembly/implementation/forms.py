from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, TextAreaField
from wtforms.validators import NumberRange, Optional

from assembly.implementation.models import UpdateKind


class UpdateForm(FlaskForm):
    # The choices open to this person are set by the view; the service checks them again.
    kind = RadioField(_l("What to record"), default=UpdateKind.PROGRESS.value,
                      choices=[(kind.value, kind.label) for kind in UpdateKind])
    note = TextAreaField(_l("Note (Markdown): what was done, what is left"))
    percent = IntegerField(_l("How far along, in percent (optional)"),
                           validators=[Optional(), NumberRange(min=0, max=100)])
