"""Merging checked workbooks into one total (a district's 全区汇总)."""
