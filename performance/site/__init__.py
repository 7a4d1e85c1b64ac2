"""The public site, composed from the domains: the Police Data page, the archives, the every-force month,
the open data files, feeds, the sitemap, the staff checklist and the URLs.
"""
