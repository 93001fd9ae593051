from flask import render_template

from app.author import bp


@bp.route("/")
def index():
    return render_template("author/index.html")
