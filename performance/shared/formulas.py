"""Text that a spreadsheet would run as a formula, made safe: shared by the staff's exports
(``performance.imports.resources``) and the open data files (``performance.publishing.opendata``)."""

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def formula_neutralised(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; numbers stay numbers.

    >>> formula_neutralised('=HYPERLINK("x")'), formula_neutralised("-13"), formula_neutralised(-13)
    ('\\'=HYPERLINK("x")', "'-13", -13)
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
