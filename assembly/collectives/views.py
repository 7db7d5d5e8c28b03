import sqlalchemy as sa
from flask import Blueprint, render_template

from assembly.collectives.models import Collective
from assembly.extensions import db
from assembly.visibility import get_collective

bp = Blueprint("collectives", __name__, template_folder="templates")


@bp.route("/")
def index():
    collectives = db.session.scalars(sa.select(Collective).order_by(Collective.name)).all()
    return render_template("collectives/index.html", collectives=collectives)


@bp.route("/c/<slug>/")
def collective(slug):
    return render_template("collectives/collective.html", collective=get_collective(slug))
