"""Report metadata: type, council, dates, inspectors, addressee and copy list.

Contract: `extract_metadata(src) -> ReportRecord` with the metadata fields filled and no items.

Works by report family, not by file: the title (matched by the rules of
`kg/data/report_types.yaml`) gives the type and says where the council's name is printed; letters
(focused and monitoring visits, annual unannounced inspections) are read as letters (date line,
address block, 'Dear ...', signature, 'Copy:' list), full reports through their cover lines
('Inspection dates:', 'Report published:') and inspection-team lines (`kg/data/people.yaml`).
Every person carries a Span into `src.text` covering the name as printed.

One job a module: `rules` (the two rule files, loaded and checked), `names` (a name as printed and
its span), `title` (the report title and type), `council`, `letters` (the parts around a letter's
body), `inspectors`, `report_dates` (dates and their notes) and `record` (the record put together).
"""
from .record import extract_metadata
from .rules import PeopleRules, TypeRules, load_people_rules, load_type_rules
from .title import Title, find_title

__all__ = ["extract_metadata", "load_type_rules", "load_people_rules", "find_title", "Title", "TypeRules",
           "PeopleRules"]
