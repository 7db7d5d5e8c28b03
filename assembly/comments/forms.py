from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from assembly.comments.service import MAX_BODY


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

