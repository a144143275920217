"""Reference solutions of the function exercises, one module per chapter.

The checkers in :mod:`lazynb.exercises` import their references from here, so a mutation
tool can change a solution without touching the checker that judges it (see ``make mutants``).
Each module holds plain functions only: no checker code, no test cases.
"""
