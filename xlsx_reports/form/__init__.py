"""The statutory forms as data: one Form per format, built from definitions.py by layout.py.

Every other stage interprets a Form; none of them spells a label, row or cell address itself.
"""
