"""999 call answering, monthly per force (police.uk): the months and their ranks, the import, the ranks'
recomputation, charts, the checks before publishing.
"""
