"""Reading the national releases: the bounded child process every uploaded file is read in (``untrusted``,
``child``, ``readers``, ``filechecks``), spreadsheet reading, the import framework (``resources``:
preview, confirm, all or nothing; ``importing``; ``admin``), background import jobs and their progress
(``jobs``), the import records.
"""
