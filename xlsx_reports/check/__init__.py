"""Checking returned workbooks: the rules of shared/spec/rules.md applied to a Reading."""
