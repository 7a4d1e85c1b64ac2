"""Make sure a staff account exists, and say how to log in. Never sets a well-known password."""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the 'admin' superuser with a random password, printed once, if it does not exist."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--address", default="http://127.0.0.1:8000/admin/")

    def handle(self, *args, username, address, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            self.stdout.write(
                f"Log in to the staff admin at {address} as '{username}' with the password printed "
                f"when it was created. Forgotten it? Run: .venv/bin/python manage.py changepassword {username}"
            )
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created the staff account '{username}'. Log in at {address} with password: {password}\n"
                "This password is shown only once: keep it somewhere safe."
            )
        )
