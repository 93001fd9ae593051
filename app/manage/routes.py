from flask import render_template

from app.manage import bp


@bp.route("/")
def dashboard():
    return render_template("manage/dashboard.html")
