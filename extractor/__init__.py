from __future__ import annotations

from extractor import regex_compat

# Before any rule is compiled: Debian 12's Python 3.11.2 mismatches possessive repeats.
regex_compat.install()
