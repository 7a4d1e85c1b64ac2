"""The usual attacks on a public site with an admin: settings, headers, sign-in, rich text, uploads."""

import os
import re
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from performance.models import (
    Document,
    DocumentCategory,
    ForceGroup,
    LibraryPage,
    Measure,
    PageSection,
    PriorityApplicability,
    PriorityArea,
    PriorityAreaCommentary,
    ReportingChannel,
    SiteSettings,
)
from tests.factories import PUBLISHED
from tests.helpers import ROOT, SIGN_IN_LOCKED, SIGN_IN_REFUSED


def manage(*args, **env):
    # A production process: none of the test run's own settings (the browser tier allows async-unsafe calls).
    ignored = ("DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    environment = {k: v for k, v in os.environ.items() if k not in ignored}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deployment_checks_pass_with_the_production_settings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="opcc.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


PAYLOADS = [
    "<script>alert('x1')</script>",
    '<img src=x onerror="alert(2)">',
    "[click me](javascript:alert(3))",
    '<a href="javascript:alert(4)">link</a>',
    "<svg onload=alert(5)>",
    '"><iframe src="https://evil.example"></iframe>',
]


class ExecutableMarkup(HTMLParser):
    """Finds what a browser would run: scripts, event handlers, javascript: links, frames."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not ("src" in attrs or attrs.get("type") == "application/json"):
            self.found.append("inline script")
        if tag in ("iframe", "object", "embed", "svg"):
            self.found.append(tag)
        for name, value in attrs.items():
            if name.startswith("on"):
                self.found.append(name)
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{name}=javascript:")


def executable_markup(html: str) -> list[str]:
    parser = ExecutableMarkup()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_editable_text_reaches_a_public_page_executable(client, demo_data, payload):
    """Every text field staff can edit that the public pages show gets the payload."""
    for model, fields in {
        PriorityAreaCommentary: ["body"],
        LibraryPage: ["title", "summary", "intro", "body"],
        PageSection: ["heading", "body"],
        ReportingChannel: ["name", "link_text", "description", "caveat"],
        Measure: ["definition_heading", "definition"],
        PriorityArea: ["no_force_data_note"],
        ForceGroup: ["description"],
        SiteSettings: ["office_name", "commissioner_name", "holder_title", "holder_short_title"],
        PriorityApplicability: ["reason"],
    }.items():
        for obj in model.objects.all():
            for field in fields:
                setattr(obj, field, f"{getattr(obj, field)} {payload}")
            obj.save()
    urls = [
        reverse("performance:library"),
        reverse("performance:police-data"),
        reverse("performance:library-page", args=["accountability-meetings"]),
        reverse("performance:ncpm-period", args=["2023-06"]),
        reverse("performance:accessibility"),
    ]
    for url in urls:
        html = client.get(url).content.decode()
        assert "alert" in html or "evil.example" in html  # the text is there, as text …
        assert executable_markup(html) == [], url  # … and nothing in it would run


def test_public_pages_carry_a_strict_content_security_policy(client, demo_data):
    response = client.get(reverse("performance:police-data"))
    policy = response["Content-Security-Policy"]
    for directive in ("frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'", "script-src 'self'"):
        assert directive in policy
    assert "unsafe-inline" not in policy
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*(type=\"application/json\"|src=))", html)  # no inline scripts
    assert " style=" not in html and "<style" not in html  # no inline styles
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_sign_in_is_locked_after_five_failures_for_that_username_and_address(
    client, django_user_model, settings
):
    staff = django_user_model.objects.create_user(
        username="staff", password="right-password-123", is_staff=True
    )
    login = reverse("admin:login")

    def attempt(password, address="203.0.113.5"):
        return client.post(login, {"username": "staff", "password": password}, REMOTE_ADDR=address)

    for _ in range(4):
        refused = attempt("wrong")
        assert refused.status_code == 200 and SIGN_IN_REFUSED in refused.content.decode()  # the form again
    locked = attempt("wrong")  # the fifth failure locks it …
    assert (locked.status_code, locked.content.decode()) == (429, SIGN_IN_LOCKED)
    locked = attempt("right-password-123")  # … even for the right password
    assert (locked.status_code, locked.content.decode()) == (429, SIGN_IN_LOCKED)
    assert "_auth_user_id" not in client.session
    assert attempt("right-password-123", address="198.51.100.7").status_code == 302  # another address
    assert client.session["_auth_user_id"] == str(staff.pk)


@pytest.mark.django_db
def test_lockout_uses_the_client_address_a_trusted_proxy_reports(client, django_user_model, settings):
    settings.TRUSTED_PROXIES = 1  # the proxy at 10.0.0.2 appends the address it saw
    staff = django_user_model.objects.create_user(
        username="staff", password="right-password-123", is_staff=True
    )
    login = reverse("admin:login")
    for _ in range(5):
        client.post(
            login,
            {"username": "staff", "password": "wrong"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="203.0.113.9",
        )
    locked = client.post(
        login,
        {"username": "staff", "password": "right-password-123"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    other_client = client.post(
        login,
        {"username": "staff", "password": "right-password-123"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.1",
    )
    assert (locked.status_code, locked.content.decode()) == (429, SIGN_IN_LOCKED)
    assert other_client.status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)  # signed in from the other address


def test_staff_sessions_last_at_most_eight_hours(settings):
    assert settings.SESSION_COOKIE_AGE <= 8 * 60 * 60


@pytest.mark.django_db
def test_two_factor_sign_in_is_required_when_switched_on(django_user_model, settings):
    from django_otp import login as otp_login
    from django_otp.admin import OTPAdminAuthenticationForm
    from django_otp.middleware import OTPMiddleware
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = django_user_model.objects.create_user(
        username="staff", password="x-long-password-1", is_staff=True
    )
    request = RequestFactory().get("/admin/")
    request.user, request.session = user, {}
    OTPMiddleware(lambda r: None)(request)  # gives request.user.is_verified()

    assert admin.site.has_permission(request)  # off by default: the password is enough
    settings.REQUIRE_2FA = True
    assert issubclass(admin.site.login_form, OTPAdminAuthenticationForm)  # the sign-in form asks for a code
    assert not admin.site.has_permission(request)  # a password alone is not enough
    otp_login(request, TOTPDevice.objects.create(user=user, name="phone"))
    assert admin.site.has_permission(request)


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "report.exe",
            b"MZ\x90\x00",
            "Documents must be one of .pdf, .docx, .xlsx, .odt, .ods, .csv; this file is not.",
        ),
        ("report.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "This file's content is not a .pdf file."),
        ("report.docx", b"%PDF-1.7 not a word file", "This file's content is not a .docx file."),
        ("data.csv", b"a,b\x00\x01binary", "This file's content is not a .csv file."),
    ],
)
def test_uploads_are_checked_by_content_not_just_name(name, data, message):
    from performance.library.documents import validate_document

    with pytest.raises(ValidationError) as caught:
        validate_document(upload(name, data))
    assert caught.value.messages[0].startswith(message)


def test_oversized_documents_are_refused():
    from performance.library.documents import MAX_DOCUMENT_BYTES, validate_document

    with pytest.raises(ValidationError) as caught:
        validate_document(upload("big.pdf", b"%PDF-" + b"0" * MAX_DOCUMENT_BYTES))
    assert "documents may be at most 20 MB" in caught.value.messages[0]


@pytest.mark.django_db
def test_documents_are_stored_under_safe_names_and_served_with_a_safe_disposition(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    document = Document(
        title='Annual report "2023"',
        file=upload("../../../etc/passwd<script>.pdf", b"%PDF-1.7\n%%EOF\n"),
        published_on="2023-10-19",
        publish_at=PUBLISHED,
        category=DocumentCategory.objects.get(slug="other"),
    )
    document.full_clean()
    document.save()
    stored = Path(document.file.path).resolve()
    assert stored.is_relative_to(tmp_path.resolve())
    assert stored.name == "passwdscript.pdf"  # no directories, no markup from the uploader

    response = client.get(document.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="annual-report-2023.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")

    other = client.get(reverse("performance:document", args=[document.pk, "..%2F..%2Fsettings.py"]))
    assert (
        other["Content-Disposition"] == 'inline; filename="annual-report-2023.pdf"'
    )  # the name in the address is ignored
