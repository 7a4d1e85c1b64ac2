"""Site administrators manage staff accounts but cannot give anyone, themselves included, more than
the roles give, nor take over a superuser's account; a superuser can do all of it. Each change is
posted as a browser would post the form the page serves, plus the crafted values."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.forms import MultiWidget
from django.urls import reverse

NEW_PASSWORD = "a-new-long-passphrase-42"


def role(name: str) -> Group:
    return Group.objects.get(name=name)


@pytest.fixture
def site_admin(db, client, django_user_model):
    user = django_user_model.objects.create_user(username="siteadmin", password="unused", is_staff=True)
    user.groups.add(role("Site administrator"))
    client.force_login(user)
    return user


@pytest.fixture
def editor(db, django_user_model):
    user = django_user_model.objects.create_user(username="editor", password="old-password-1", is_staff=True)
    user.groups.add(role("Editor"))
    return user


@pytest.fixture
def other_superuser(db, django_user_model):
    return django_user_model.objects.create_superuser(username="root", password="root-password-1")


def posted(form) -> dict:
    """What a browser posts back for ``form`` left as served."""
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if field.disabled or value is None or value is False:
            continue
        if isinstance(field.widget, MultiWidget):  # e.g. date and time, as name_0 and name_1
            parts = zip(field.widget.widgets_names, field.widget.decompress(value), strict=True)
            data |= {f"{name}{suffix}": part for suffix, part in parts if part is not None}
        else:
            data[name] = "on" if value is True else value
    return data


def change(client, obj, **changes):
    """Posts ``obj``'s admin change form as served to ``client``, with ``changes``."""
    url = reverse(f"admin:auth_{obj._meta.model_name}_change", args=[obj.pk])
    served = client.get(url)
    assert served.status_code == 200
    return client.post(url, posted(served.context["adminform"].form) | changes)


def change_password(client, user):
    return client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )


def group_names(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def permission_ids(group) -> set[int]:
    return set(group.permissions.values_list("pk", flat=True))


def test_a_site_administrator_cannot_make_themself_superuser(client, site_admin):
    assert change(client, site_admin, is_superuser="on").status_code == 302  # saved, without it
    site_admin.refresh_from_db()
    assert site_admin.is_superuser is False


def test_a_site_administrator_cannot_make_another_user_superuser(client, site_admin, editor):
    assert change(client, editor, is_superuser="on").status_code == 302
    editor.refresh_from_db()
    assert editor.is_superuser is False


def test_a_site_administrator_cannot_add_themself_to_publisher(client, site_admin):
    groups = [role("Site administrator").pk, role("Publisher").pk]
    assert change(client, site_admin, groups=groups).status_code == 302
    assert group_names(site_admin) == {"Site administrator"}


def test_a_site_administrator_cannot_give_individual_permissions(client, site_admin, editor):
    publish = Permission.objects.get(codename="publish_document")
    assert change(client, editor, user_permissions=[publish.pk]).status_code == 302
    assert list(editor.user_permissions.all()) == []


def test_a_site_administrator_moves_another_user_from_editor_to_publisher(client, site_admin, editor):
    assert change(client, editor, groups=[role("Publisher").pk]).status_code == 302
    assert group_names(editor) == {"Publisher"}


def test_a_site_administrator_switches_another_account_off(client, site_admin, editor):
    assert change(client, editor, is_active="").status_code == 302
    editor.refresh_from_db()
    assert editor.is_active is False


def test_a_site_administrator_sets_another_users_password(client, site_admin, editor):
    assert client.get(reverse("admin:auth_user_password_change", args=[editor.pk])).status_code == 200
    assert change_password(client, editor).status_code == 302
    editor.refresh_from_db()
    assert editor.check_password(NEW_PASSWORD)


def test_a_site_administrator_creates_a_staff_account_that_is_not_superuser(client, site_admin):
    url = reverse("admin:auth_user_add")
    form = client.get(url).context["adminform"].form
    data = posted(form) | {"username": "newstaff", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    response = client.post(url, data | {"is_superuser": "on", "groups": [role("Publisher").pk]})
    assert response.status_code == 302
    created = type(site_admin).objects.get(username="newstaff")
    assert (created.is_superuser, group_names(created)) == (False, set())


def test_a_site_administrator_cannot_set_a_superusers_password(client, site_admin, other_superuser):
    url = reverse("admin:auth_user_password_change", args=[other_superuser.pk])
    assert client.get(url).status_code == 403
    assert change_password(client, other_superuser).status_code == 403
    other_superuser.refresh_from_db()
    assert other_superuser.check_password("root-password-1")


def test_a_site_administrator_cannot_change_a_superusers_account(
    client, admin_client, site_admin, other_superuser
):
    url = reverse("admin:auth_user_change", args=[other_superuser.pk])
    served_to_a_superuser = posted(admin_client.get(url).context["adminform"].form)
    assert client.get(url).status_code == 200  # to view only
    response = client.post(url, served_to_a_superuser | {"email": "attacker@example.org", "is_active": ""})
    assert response.status_code == 403
    other_superuser.refresh_from_db()
    assert (other_superuser.email, other_superuser.is_active) == ("", True)


def test_a_site_administrator_cannot_delete_a_superusers_account(client, site_admin, other_superuser):
    delete = reverse("admin:auth_user_delete", args=[other_superuser.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    bulk = {"action": "delete_selected", "_selected_action": [other_superuser.pk], "post": "yes"}
    assert client.post(reverse("admin:auth_user_changelist"), bulk).status_code == 403
    assert type(site_admin).objects.filter(pk=other_superuser.pk).exists()


def test_a_site_administrator_cannot_change_a_groups_permissions(client, admin_client, site_admin):
    group = role("Site administrator")
    before = permission_ids(group)
    url = reverse("admin:auth_group_change", args=[group.pk])
    served_to_a_superuser = posted(admin_client.get(url).context["adminform"].form)
    assert client.get(url).status_code == 200  # to view only
    everything = list(Permission.objects.values_list("pk", flat=True))
    assert client.post(url, served_to_a_superuser | {"permissions": everything}).status_code == 403
    assert permission_ids(group) == before


def test_a_site_administrator_cannot_delete_a_group(client, site_admin):
    group = role("Publisher")
    assert (
        client.post(reverse("admin:auth_group_delete", args=[group.pk]), {"post": "yes"}).status_code == 403
    )
    bulk = {"action": "delete_selected", "_selected_action": [group.pk], "post": "yes"}
    client.post(reverse("admin:auth_group_changelist"), bulk)  # the action is not even offered
    assert Group.objects.filter(pk=group.pk).exists()


def test_a_site_administrator_cannot_create_a_group_with_permissions(client, site_admin):
    url = reverse("admin:auth_group_add")
    data = posted(client.get(url).context["adminform"].form) | {"name": "Everything"}
    everything = list(Permission.objects.values_list("pk", flat=True))
    assert client.post(url, data | {"permissions": everything}).status_code == 302
    assert permission_ids(Group.objects.get(name="Everything")) == set()


def test_a_superuser_can_make_another_user_superuser(admin_client, editor):
    assert change(admin_client, editor, is_superuser="on").status_code == 302
    editor.refresh_from_db()
    assert editor.is_superuser is True


def test_a_superuser_can_change_their_own_groups(admin_client, admin_user):
    assert change(admin_client, admin_user, groups=[role("Publisher").pk]).status_code == 302
    assert group_names(admin_user) == {"Publisher"}


def test_a_superuser_can_give_individual_permissions(admin_client, editor):
    publish = Permission.objects.get(codename="publish_document")
    assert change(admin_client, editor, user_permissions=[publish.pk]).status_code == 302
    assert list(editor.user_permissions.all()) == [publish]


def test_a_superuser_can_set_another_superusers_password(admin_client, other_superuser):
    assert change_password(admin_client, other_superuser).status_code == 302
    other_superuser.refresh_from_db()
    assert other_superuser.check_password(NEW_PASSWORD)


def test_a_superuser_can_change_and_delete_another_superusers_account(admin_client, other_superuser):
    assert change(admin_client, other_superuser, email="root@example.org").status_code == 302
    other_superuser.refresh_from_db()
    assert other_superuser.email == "root@example.org"
    delete = reverse("admin:auth_user_delete", args=[other_superuser.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302
    assert not type(other_superuser).objects.filter(pk=other_superuser.pk).exists()


def test_a_superuser_can_change_a_groups_permissions(admin_client):
    group = role("Editor")
    publish = Permission.objects.get(codename="publish_document")
    assert change(admin_client, group, permissions=[publish.pk]).status_code == 302
    assert permission_ids(group) == {publish.pk}


def test_a_superuser_can_delete_a_group(admin_client):
    group = Group.objects.create(name="Reviewers")
    assert (
        admin_client.post(reverse("admin:auth_group_delete", args=[group.pk]), {"post": "yes"}).status_code
        == 302
    )
    assert not Group.objects.filter(pk=group.pk).exists()


# Staff status follows the roles: giving a role is all it takes to let someone sign in.


@pytest.fixture
def newcomer(db, django_user_model):
    """An account made with no role, as the add form makes it: not staff."""
    return django_user_model.objects.create_user(username="newcomer", password="newcomer-password-1")


def test_giving_a_role_makes_the_account_staff(client, site_admin, newcomer):
    assert newcomer.is_staff is False
    assert change(client, newcomer, groups=[role("Editor").pk]).status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.is_staff is True


def test_taking_the_last_role_away_makes_the_account_not_staff(client, site_admin, editor):
    response = change(client, editor, groups=[])
    assert response.status_code == 302
    editor.refresh_from_db()
    assert editor.is_staff is False
    warning = "editor has no staff role, so cannot sign in to the staff admin"
    assert any(warning in str(message) for message in client.get(response.url).context["messages"])


def test_a_group_that_is_not_a_role_does_not_make_the_account_staff(client, site_admin, newcomer):
    reviewers = Group.objects.create(name="Reviewers")
    assert change(client, newcomer, groups=[reviewers.pk]).status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.is_staff is False


def test_staff_status_cannot_be_ticked_by_hand_and_says_where_it_comes_from(client, site_admin, newcomer):
    url = reverse("admin:auth_user_change", args=[newcomer.pk])
    form = client.get(url).context["adminform"].form
    assert form.fields["is_staff"].disabled
    assert "Set from the roles" in client.get(url).content.decode()
    assert change(client, newcomer, is_staff="on").status_code == 302  # the crafted value is ignored
    newcomer.refresh_from_db()
    assert newcomer.is_staff is False


def test_a_site_administrator_saving_their_own_account_stays_staff(client, site_admin):
    assert change(client, site_admin, groups=[]).status_code == 302  # their groups are read-only
    site_admin.refresh_from_db()
    assert (site_admin.is_staff, group_names(site_admin)) == (True, {"Site administrator"})


def test_a_superuser_with_no_role_keeps_their_staff_status(admin_client, admin_user):
    assert admin_user.is_staff and not group_names(admin_user)
    assert change(admin_client, admin_user, first_name="Root").status_code == 302
    admin_user.refresh_from_db()
    assert admin_user.is_staff is True
    assert admin_client.get(reverse("admin:index")).status_code == 200  # not locked out


def test_a_new_account_given_a_role_can_sign_in(client, site_admin, newcomer):
    change(client, newcomer, groups=[role("Publisher").pk])
    client.logout()
    response = client.post(
        reverse("admin:login"),
        {"username": "newcomer", "password": "newcomer-password-1"},
        REMOTE_ADDR="198.51.100.7",
    )
    assert response.status_code == 302
