"""A document's words, read in the bounded child process (``performance.imports.untrusted``) by
the library's own reader (``extraction.document_text``, named by its place so that the child
imports it)."""

import logging

from performance.imports import untrusted

READER = "performance.library.extraction:document_text"


def text_in_child(file, *, kind: str, name: str = "") -> str:
    """A document's words, read in the child; "" for one that has none or cannot be read (with
    the reader's warnings in the log). Raises ``FileUnsafe`` for a file that claims more than
    any document could or goes past the child's bounds."""
    options = {"kind": kind, "name": name, "bounds": untrusted.DOCUMENT}
    with untrusted.local_path(file) as path:
        result, data_path = untrusted.read_in_child(
            "text", path, options, cpu_seconds=untrusted.DOCUMENT_SECONDS, reader=READER
        )
    untrusted.data_path_removed(data_path)
    for warning in result["warnings"]:
        logging.getLogger("performance.library.extraction").warning("%s", warning)
    return result["text"]
