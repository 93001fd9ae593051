from flask import render_template

from app.learn import bp


@bp.route("/")
def dashboard():
    return render_template("learn/dashboard.html")
