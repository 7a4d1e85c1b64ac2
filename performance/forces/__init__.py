"""The forces of England and Wales, their groups and aliases, and the office's settings (the home force,
its groups, the targets): the data that makes nothing specific to one force.
"""
