"""The translation form: a language, an optional title and the text; incomers add a name and
the honeypot of the comment forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from assembly.comments.forms import HONEYPOT_LABEL
from assembly.comments.service import GUEST_MAX_NAME
from assembly.proposals.forms import text_size
from assembly.proposals.service import MAX_TITLE


class TranslationForm(FlaskForm):
    language = SelectField(_l("Into which language"), validators=[DataRequired()])
    title = StringField(_l("Title, translated (optional)"),
                        validators=[Optional(), Length(max=MAX_TITLE)])
    text = TextAreaField(_l("Translated text (Markdown)"), validators=[text_size, DataRequired()])
    # The version the translator started from (0: a new translation) and, for proposals, the
    # revision they translated.
    base_number = HiddenField(default="0")
    revision = HiddenField()


class GuestTranslationForm(TranslationForm):
    name = StringField(_l("Your name, as others will see it"),
                       validators=[DataRequired(), Length(max=GUEST_MAX_NAME)])
    website = StringField(HONEYPOT_LABEL, validators=[Optional()])
