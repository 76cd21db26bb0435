"""`python -m xlsx_reports …` runs the command line, as `xlsx-reports …` does."""
from xlsx_reports.cli import main_entry

if __name__ == "__main__":
    main_entry()
