from flask import Blueprint

bp = Blueprint("meetings", __name__, template_folder="templates")
