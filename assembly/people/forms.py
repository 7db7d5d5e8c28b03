from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from assembly.people.service import LANGUAGES, MAX_NAME_LENGTH, MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    name = StringField(_l("Your name or email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1000)])


class JoinForm(FlaskForm):
    display_name = StringField(
        _l("Your name, as others will see it"),
        validators=[DataRequired(), Length(max=MAX_NAME_LENGTH)],
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=1000)]
    )
    email = EmailField(_l("Email (optional)"), validators=[Optional(), Length(max=254)])
    language = SelectField(_l("Preferred language"), choices=list(LANGUAGES.items()))


class InvitationForm(FlaskForm):
    note = StringField(_l("Who is it for? (optional, only members see this)"),
                       validators=[Optional(), Length(max=200)])


class AccountForm(FlaskForm):
    display_name = StringField(
        _l("Your name, as others will see it"),
        validators=[DataRequired(), Length(max=MAX_NAME_LENGTH)],
    )
    language = SelectField(_l("Preferred language"), choices=list(LANGUAGES.items()))
