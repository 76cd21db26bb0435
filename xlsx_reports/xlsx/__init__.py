"""Reading and writing xlsx files: the only package that touches openpyxl and xlsxwriter."""
