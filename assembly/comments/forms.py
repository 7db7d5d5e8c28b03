from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from assembly.collectives.models import IncomerComments
from assembly.comments.service import GUEST_MAX_BODY, GUEST_MAX_NAME, MAX_BODY, MAX_REASON

# The honeypot: a field people never see (moved off screen by CSS), labelled for screen readers
# to leave empty. Programs that fill in every field give themselves away.
HONEYPOT = "website"
HONEYPOT_LABEL = _l("Leave this field empty (it is here to catch automated spam)")


class CommentForm(FlaskForm):
    """A new comment: on a paragraph of the revision shown, or on the whole proposal."""

    body = TextAreaField(_l("Your comment (Markdown)"),
                         validators=[DataRequired(), Length(max=MAX_BODY)])
    # The paragraph and the revision number the author was reading; both empty for a comment
    # on the whole proposal.
    paragraph = HiddenField()
    revision = HiddenField()


class ReplyForm(FlaskForm):
    body = TextAreaField(_l("Your reply (Markdown)"),
                         validators=[DataRequired(), Length(max=MAX_BODY)])


class EditForm(FlaskForm):
    body = TextAreaField(_l("Your comment, changed (the earlier text stays in the history)"),
                         validators=[DataRequired(), Length(max=MAX_BODY)])


def _guest_fields(form_class, label):
    """The same form for an incomer: a chosen name, a shorter text and the honeypot."""

    class GuestForm(form_class):
        name = StringField(_l("Your name, as others will see it"),
                           validators=[DataRequired(), Length(max=GUEST_MAX_NAME)])
        body = TextAreaField(label, validators=[DataRequired(), Length(max=GUEST_MAX_BODY)])
        website = StringField(HONEYPOT_LABEL, validators=[Optional()])

    GuestForm.__name__ = "Guest" + form_class.__name__
    return GuestForm


GuestCommentForm = _guest_fields(CommentForm, _l("Your comment (Markdown)"))
GuestReplyForm = _guest_fields(ReplyForm, _l("Your reply (Markdown)"))


class GuestEditForm(FlaskForm):
    body = TextAreaField(_l("Your comment, changed (the earlier text stays in the history)"),
                         validators=[DataRequired(), Length(max=GUEST_MAX_BODY)])


class HideForm(FlaskForm):
    reason = TextAreaField(_l("Why hide it? (shown in its place)"),
                           validators=[DataRequired(), Length(max=MAX_REASON)])


class UnhideForm(FlaskForm):
    reason = TextAreaField(_l("Why show it again? (optional)"),
                           validators=[Optional(), Length(max=MAX_REASON)])


INCOMER_CHOICES = [
    (IncomerComments.SHOWN.value, _l("Shown at once")),
    (IncomerComments.HELD.value, _l("Their first comment waits until a member approves it")),
]


class IncomerSettingForm(FlaskForm):
    incomer_comments = RadioField(_l("Comments of incomers (people without an account)"),
                                  choices=INCOMER_CHOICES, validators=[DataRequired()])
