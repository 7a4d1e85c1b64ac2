"""The staff admin site: the default one, with two-factor sign-in when REQUIRE_2FA is on, and with
limits on what a Site administrator may do to staff accounts and groups."""

from django.conf import settings
from django.contrib import messages
from django.contrib.admin import AdminSite, ModelAdmin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db.models.base import ModelBase
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite

# The roles (groups, created by the migrations) that let an account sign in to the staff admin.
STAFF_ROLES = ("Editor", "Publisher", "Site administrator")

STAFF_STATUS_HELP = (
    "Set from the roles when the account is saved: an account with the Editor, Publisher or Site "
    "administrator role can sign in to the staff admin, one with none of them cannot. A superuser's "
    "account keeps the staff status it has."
)
GROUPS_HELP = (
    "Editor: enters figures and drafts. Publisher: also publishes. Site administrator: manages staff "
    "accounts. An account needs one of these to sign in to the staff admin."
)
NO_STAFF_ROLE = (
    "Your account has no staff role yet: ask your site administrator to give you the Editor or "
    "Publisher role."
)


def has_staff_role(user) -> bool:
    return user.groups.filter(name__in=STAFF_ROLES).exists()


def is_superuser_out_of_reach(request, account) -> bool:
    """Whether ``account`` is a superuser's and the request's user is not one: changing it (its
    password above all) would let them take it over."""
    return account is not None and account.is_superuser and not request.user.is_superuser


class StaffUserRules:
    """Site administrators create staff accounts, reset passwords, switch accounts on and off and
    give other staff their roles, but cannot give anyone, themselves included, more than the roles
    give: superuser status and individual permissions are read-only to them, so are their own
    groups, and superusers' accounts are theirs to view only. Read-only fields are left out of the
    form, so a crafted POST that includes them changes nothing. A superuser can do all of it.

    Staff status follows the roles: saving an account with a staff role makes it staff, saving one
    with none makes it not staff, so giving a role is all it takes to let someone sign in, and
    taking the last one away stops them. A superuser's account keeps its staff status (nobody is
    locked out by removing a superuser's roles), and only there can it be ticked by hand."""

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        fields = form.base_fields
        if "is_staff" in fields and not (obj is not None and obj.is_superuser):
            fields["is_staff"].disabled = True
            fields["is_staff"].help_text = STAFF_STATUS_HELP
        if "groups" in fields:
            fields["groups"].help_text = GROUPS_HELP
        return form

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        if user.is_superuser:
            return
        staff = has_staff_role(user)
        if user.is_staff != staff:
            user.is_staff = staff
            user.save(update_fields=["is_staff"])
        if not staff:
            messages.warning(
                request,
                f"{user.get_username()} has no staff role, so cannot sign in to the staff admin: "
                "give them the Editor, Publisher or Site administrator role.",
            )

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_superuser", "user_permissions"]
            if obj is not None and obj.pk == request.user.pk:
                fields.append("groups")
        return fields

    def has_change_permission(self, request, obj=None):
        """Also guards the password form, which asks the same question."""
        return super().has_change_permission(request, obj) and not is_superuser_out_of_reach(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not is_superuser_out_of_reach(request, obj)


class StaffGroupRules:
    """A group's permissions are what its members may do: a Site administrator who could set them
    would give their own group every permission. Site administrators may add a group, without
    permissions, and put staff in it; only a superuser sets a group's permissions, renames or
    deletes a group (deleting a role would strip it from every member)."""

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields.append("permissions")
        return fields

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


STAFF_ACCOUNT_RULES = {User: StaffUserRules, Group: StaffGroupRules}


class NoStaffRoleMessage:
    """Sign-in to the admin: the right password for an account with no staff role says what is
    missing and who can give it. A wrong password (or a switched-off account) still gets the
    generic message, so it reveals nothing; failures are counted by django-axes all the same."""

    def confirm_login_allowed(self, user):
        if user.is_active and not user.is_staff:
            raise ValidationError(NO_STAFF_ROLE, code="no_staff_role")
        super().confirm_login_allowed(user)


class StaffAuthenticationForm(NoStaffRoleMessage, AdminAuthenticationForm):
    pass


class StaffOTPAuthenticationForm(NoStaffRoleMessage, OTPAdminAuthenticationForm):
    pass


# The security packages' sections, named for the staff who read the admin's index.
APP_NAMES = {"axes": "Sign-in records", "otp_totp": "Two-factor devices"}

# The technical records: the open data as imported, import records, column choices, sign-in
# records, two-factor devices and background tasks.
TECHNICAL = {
    "performance.offencecount",
    "performance.outcomecount",
    "performance.offence",
    "performance.importlog",
    "performance.columnmapping",
}


# The staff home's groups of pages, by task, in order: each model as "app_label.model_name".
# A model in none of them is listed under "Other pages" (before the technical records): none is
# left out. The technical records come last, folded away.
TASK_GROUPS = (
    ("calls", "999 calls", ("performance.callanswermonth", "performance.callanswerrank")),
    (
        "crime",
        "Crime and NCPM",
        (
            "performance.reportingperiod",
            "performance.measurefigure",
            "performance.commissionerstatement",
            "performance.priorityareacommentary",
            "performance.priorityapplicability",
            "performance.measure",
            "performance.priorityarea",
            "performance.recordedcrimeperiod",
            "performance.recordedcrimefigure",
        ),
    ),
    (
        "library",
        "Document library",
        (
            "performance.document",
            "performance.documentcategory",
            "performance.meeting",
            "performance.librarypage",
            "performance.pagesection",
            "performance.requireditem",
        ),
    ),
    (
        "office",
        "Office settings",
        (
            "performance.sitesettings",
            "performance.force",
            "performance.forcealias",
            "performance.forcegroup",
            "performance.forcegroupmembership",
            "performance.forcepopulation",
            "performance.reportingchannel",
        ),
    ),
    ("staff", "Staff", ("auth.user", "auth.group")),
)
OTHER_GROUP = ("other", "Other pages")
TECHNICAL_GROUP = ("technical", "Technical records")


class StaffAdminSite(AdminSite):
    site_header = "Police performance data: staff admin"
    site_title = "Staff admin"
    index_title = "Staff home"
    index_template = "admin/staff_home.html"

    def get_app_list(self, request, app_label=None):
        """The sections of one app (``app_label``: its own page), with the sign-in and
        two-factor sections named in words staff use; or, for the home and the sidebar, every
        page the user may see grouped by task (``TASK_GROUPS``), the technical records last."""
        app_list = super().get_app_list(request, app_label)
        for app in app_list:
            app["name"] = APP_NAMES.get(app["app_label"], app["name"])
        if app_label is not None:
            return app_list
        return self.task_groups(request, app_list)

    def task_groups(self, request, app_list):
        placed = {}
        for app in app_list:
            for model in app["models"]:
                if app["app_label"] in APP_NAMES:  # "Sign-in records: Access attempts"
                    model = {**model, "name": f"{APP_NAMES[app['app_label']]}: {model['name']}"}
                placed[f"{app['app_label']}.{model['object_name'].lower()}"] = model
        home = reverse("admin:index", current_app=self.name)
        groups = []
        for slug, name, keys in (
            *TASK_GROUPS,
            (
                *OTHER_GROUP,
                [key for key in placed if key.startswith("performance.") and key not in TECHNICAL],
            ),
            (*TECHNICAL_GROUP, list(placed)),
        ):
            models = [placed.pop(key) for key in keys if key in placed]
            if models:
                groups.append(
                    {
                        "name": name,
                        "app_label": slug,
                        "app_url": f"{home}#{slug}",
                        "has_module_perms": True,
                        "models": models,
                        "collapsed": slug == TECHNICAL_GROUP[0],
                    }
                )
        return groups

    def index(self, request, extra_context=None):
        """The staff home: what is due, what waits for this member of staff, their recent
        imports, then every page they may open, grouped by task."""
        from performance.site.staff_home import staff_home  # the models load after this site

        return super().index(request, {**staff_home(request), **(extra_context or {})})

    def get_urls(self):
        return [path("review/", self.admin_view(self.review_queue), name="review_queue"), *super().get_urls()]

    def review_queue(self, request):
        """What waits for review: for a Publisher, the drafts sent to them; for everyone, the
        drafts they sent and the ones sent back to them with a comment."""
        from performance.publishing import review  # the models load after this site

        user = request.user
        context = {
            **self.each_context(request),
            "title": "Waiting for review",
            "to_review": review.waiting_for(user),
            "sent": review.sent_by(user),
            "came_back": review.came_back_to(user),
        }
        return TemplateResponse(request, "admin/review_queue.html", context)

    @property
    def login_form(self):
        return StaffOTPAuthenticationForm if settings.REQUIRE_2FA else StaffAuthenticationForm

    @property
    def login_template(self):
        return OTPAdminSite.login_template if settings.REQUIRE_2FA else None

    def has_permission(self, request):
        """With REQUIRE_2FA, a password alone is not enough: the session must be verified by a
        TOTP device (staff add theirs under "TOTP devices")."""
        allowed = super().has_permission(request)
        return allowed and (not settings.REQUIRE_2FA or request.user.is_verified())

    def register(self, model_or_iterable, admin_class=None, **options):
        """Whatever admin registers User or Group (Django's UserAdmin and GroupAdmin, from
        django.contrib.auth) is registered as a subclass with the staff-account rules on top.

        The rules cannot subclass those admins here and re-register: this module is imported
        while the site is being created, before django.contrib.auth.admin can be imported.
        """
        models = [model_or_iterable] if isinstance(model_or_iterable, ModelBase) else model_or_iterable
        for model in models:
            model_admin = admin_class or ModelAdmin
            rules = STAFF_ACCOUNT_RULES.get(model)
            if rules and not issubclass(model_admin, rules):
                model_admin = type(
                    f"Staff{model_admin.__name__}", (rules, model_admin), {"__module__": __name__}
                )
            super().register(model, model_admin, **options)
