import io

import pytest
from django.core.management import call_command


@pytest.fixture
def demo_data(db):
    """The demo office, loaded by the same command `make run` uses."""
    call_command("load_demo_data", stdout=io.StringIO())
