"""Administrators and Domain administrators: list, add, edit, disable, delete, reset 2FA.

Both pages are for global administrators only: a domain administrator can never see,
create or change another administrator, nor widen their own domains or permissions.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from panel import access
from panel.forms.admins import AdminForm, DomainAdminForm
from panel.mailcow import mailcow
from panel.models.admin import DOMAIN, GLOBAL
from panel.services import admins as service
from panel.services import second_factors


def _blueprint(name: str, prefix: str, role: str) -> Blueprint:
    bp = Blueprint(name, __name__, url_prefix=prefix)
    form_class = DomainAdminForm if role == DOMAIN else AdminForm
    title = _("Domain administrators") if role == DOMAIN else _("Administrators")

    def load(admin_id: int):
        admin = service.get_admin(admin_id, role)
        if admin is None:
            abort(404)
        return admin

    def domain_names() -> list[str]:
        return mailcow().domains.names()

    @bp.get("")
    @access.global_admin
    def index():
        admins = service.list_admins(role)
        return render_template("admins/index.html", admins=admins, role=role, bp=name,
                               summary=second_factors.summary)

    @bp.route("/new", methods=["GET", "POST"])
    @access.global_admin
    def create():
        form = form_class()
        if role == DOMAIN:
            form.set_domain_choices(domain_names(), [])
            if request.method == "GET":
                form.permissions.data = list(service.DEFAULT_PERMISSIONS)
        if form.validate_on_submit():
            try:
                admin = service.create_admin(
                    form.username.data, form.password.data, actor=current_user.username,
                    domains=form.domains.data if role == DOMAIN else None,
                    permissions=form.permissions.data if role == DOMAIN else None)
                if not form.active.data:
                    service.update_admin(admin, current_user, active=False)
            except service.AdminInputError as exc:
                form.username.errors.append(str(exc))
            else:
                flash(_("Administrator %(name)s added.", name=admin.username), "success")
                return redirect(url_for(f"{name}.index"), code=303)
        status = 422 if request.method == "POST" else 200
        return render_template("admins/form.html", form=form, admin=None, role=role, bp=name,
                               title=title), status

    @bp.route("/<int:admin_id>/edit", methods=["GET", "POST"])
    @access.global_admin
    def edit(admin_id: int):
        admin = load(admin_id)
        form = form_class(editing=True)
        if role == DOMAIN:
            form.set_domain_choices(domain_names(), admin.domains)
        if request.method == "GET":
            form.active.data = admin.active
            if role == DOMAIN:
                form.domains.data = admin.domains
                form.permissions.data = list(admin.permissions or [])
        elif form.validate_on_submit():
            try:
                service.update_admin(
                    admin, current_user, password=form.password.data or None,
                    active=form.active.data,
                    domains=form.domains.data if role == DOMAIN else None,
                    permissions=form.permissions.data if role == DOMAIN else None)
            except service.AdminInputError as exc:
                form.active.errors.append(str(exc))
            else:
                flash(_("Administrator %(name)s saved.", name=admin.username), "success")
                return redirect(url_for(f"{name}.index"), code=303)
        status = 422 if request.method == "POST" else 200
        return render_template("admins/form.html", form=form, admin=admin, role=role, bp=name,
                               title=title), status

    @bp.post("/<int:admin_id>/active")
    @access.global_admin
    def toggle_active(admin_id: int):
        admin = load(admin_id)
        try:
            service.update_admin(admin, current_user, active=not admin.active)
        except service.AdminInputError as exc:
            flash(str(exc), "error")
        else:
            flash(_("%(name)s enabled.", name=admin.username) if admin.active else
                  _("%(name)s disabled.", name=admin.username), "success")
        return redirect(url_for(f"{name}.index"), code=303)

    @bp.post("/<int:admin_id>/reset-2fa")
    @access.global_admin
    def reset_2fa(admin_id: int):
        admin = load(admin_id)
        second_factors.reset_second_factors(admin, actor=current_user.username)
        flash(_("Second factors of %(name)s removed. They can sign in with their password "
                "and enrol again.", name=admin.username), "success")
        return redirect(url_for(f"{name}.index"), code=303)

    @bp.route("/<int:admin_id>/delete", methods=["GET", "POST"])
    @access.global_admin
    def delete(admin_id: int):
        admin = load(admin_id)
        error = None
        if request.method == "POST":
            try:
                service.delete_admin(admin, current_user)
            except service.AdminInputError as exc:
                error = str(exc)
            else:
                flash(_("Administrator %(name)s deleted.", name=admin.username), "success")
                return redirect(url_for(f"{name}.index"), code=303)
        return render_template("admins/delete.html", admin=admin, role=role, bp=name,
                               error=error), 422 if error else 200

    return bp


admins_bp = _blueprint("admins", "/admins", GLOBAL)
domain_admins_bp = _blueprint("domain_admins", "/domain-admins", DOMAIN)
