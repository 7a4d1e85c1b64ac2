"""Police recorded crime: the ONS quarterly headline (``ons``), the Home Office recorded crime open data
(``recorded_crime*``), and the National Crime and Policing Measures computed from it (``ncpm``) with
commentary and the Commissioner's statement.
"""
