"""The document library: pages and their sections, documents (checked, their words read safely for search),
categories, meetings, reporting channels, search, and the library's public pages.
"""
