"""What every domain uses and none owns: the arithmetic and wording of every figure (``calculations``),
tables and charts as data, rich text, page budgets, middleware and validators. Imports no other package
of the app.
"""
