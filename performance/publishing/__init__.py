"""What the public sees and who may change it: the base models and each model's declared place under the
gate (``models``), the one rule every write passes (``gate``), the admin's publishing steps, the checks
shown before publishing, previews, the content version and page cache (``caching``). Knows no domain:
domains register with it.
"""
