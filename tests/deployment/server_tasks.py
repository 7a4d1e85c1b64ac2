"""A background task for tests/deployment/test_several_servers.py, run by ``manage.py db_worker``:
it reads a document's row from the shared database and its file from the shared media storage,
as the site's own tasks read what an app server stored."""

import hashlib

from django_tasks import task


@task()
def document_digest(document_id: int) -> dict:
    """The document's title and the SHA-256 of its file, as the worker reads them."""
    from performance.models import Document

    document = Document.objects.get(pk=document_id)
    with document.file.open("rb") as opened:
        return {"title": document.title, "sha256": hashlib.sha256(opened.read()).hexdigest()}
