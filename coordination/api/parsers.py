"""DRF's JSONParser, refusing JSON nested too deeply with 400 instead of a 500.

json.loads raises RecursionError (not ValueError) on ~1,000 nested arrays; DRF's parser
catches only ValueError, so "[[[[...]]]]" crashed every JSON endpoint.
"""

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON 嵌套层数过多。"))
