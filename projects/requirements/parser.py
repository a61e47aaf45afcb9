"""The requirement parser: text in, one `Item` per requirement sentence out.

Rules (regular expressions, jieba for words, cn2an for Chinese numerals) find what a sentence
states; the category comes from a small classifier trained on the labelled set in this
package (classifier.py). Nothing here reads the database, so the parser is the same for the
API, the page and the evaluation command.

1. Split: sentences end at 。！？；; a newline or a list marker (1. 1、 (1) （一） a)) starts one.
2. Normalise each sentence for reading (full-width ASCII to half-width; Chinese numerals
   before a unit or a time word to digits), keep the original text for display.
3. Standards, dates (absolute, then relative), amounts, then quantities are taken in this
   order; a span one rule used is not read again by the next (30 in 签约后30天内 is a date,
   not a quantity of days).
4. Vague terms: a word list matched on jieba's words (等 as its own word is "etc.", 等级 is
   not) and on English phrases.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal

import cn2an
import jieba

from .classifier import categorise

jieba.setLogLevel(logging.WARNING)

MAX_TEXT = 20_000  # characters one parse accepts (the API and the form say so)

# --- 1. splitting --------------------------------------------------------------------------

_LIST_MARKER = (
    r"(?:\d{1,2}[.、)）](?!\d)|[（(]\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[)）]"
    r"|[一二三四五六七八九十]{1,3}、|[a-h][.)](?=\s))"
)
_BOUNDARY = re.compile(r"[。！？!?；;]+|\n+|(?=(?:^|(?<=\s))" + _LIST_MARKER + r")")
_MARKER_AT_START = re.compile(r"^\s*" + _LIST_MARKER + r"\s*")
# An English full stop ends a sentence when a space and a capital or digit follow.
_EN_STOP = re.compile(r"(?<=[a-z0-9)])\.\s+(?=[A-Z(])")


def split_sentences(text: str) -> list[tuple[int, int, str]]:
    """(start, end, sentence) in the original text, list markers and edge blanks dropped."""
    pieces: list[tuple[int, int]] = []
    start = 0
    cuts = sorted(
        {m.start() for m in _BOUNDARY.finditer(text) if m.start() > 0}
        | {m.end() for m in _BOUNDARY.finditer(text)}
        | {m.start() + 1 for m in _EN_STOP.finditer(text)}
    )
    for cut in [*cuts, len(text)]:
        if cut > start:
            pieces.append((start, cut))
            start = cut
    sentences = []
    for a, b in pieces:
        piece = text[a:b]
        marker = _MARKER_AT_START.match(piece)
        if marker:
            a += marker.end()
        piece = text[a:b]
        stripped = piece.strip(" \t\r\n。！？!?；;，,")
        if not stripped or len(stripped) < 2:
            continue
        a += piece.index(stripped)
        sentences.append((a, a + len(stripped), stripped))
    return sentences


# --- 2. normalising ------------------------------------------------------------------------

_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_CN_DIGITS = "零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟"
_UNIT_WORDS = (
    "个工作日|工作日|个月|天|日|周|星期|年|月|小时|台套|台|套|个|件|根|米|公里|千米|平方米|平米|"
    "立方米|吨|千克|公斤|千瓦|兆瓦|千伏|伏|安|人|名|层|户|间|张|份|处|座|次|项|万元|元|亿元|%|倍"
)
_CN_NUMBER = re.compile(rf"([{_CN_DIGITS}]+)(?=(?:{_UNIT_WORDS}))")
_NOT_NUMBERS = (
    "一次性",
    "一次验收",
    "一次通过",
    "一次合格",
    "一些",
    "万一",
    "一旦",
    "一致",
    "一般",
    "统一",
    "一体",
    "一定",
)


def _cn_to_digits(match: re.Match) -> str:
    token = match.group(1)
    before = match.string[max(0, match.start() - 2) : match.start() + len(token) + 4]
    if any(word in before for word in _NOT_NUMBERS):
        return token
    try:
        return str(cn2an.cn2an(token, "smart"))
    except (ValueError, KeyError):
        return token


_EN_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "sixty": 60,
    "ninety": 90,
}
_EN_NUMBER = re.compile(
    r"\b(" + "|".join(_EN_NUMBERS) + r")\b(?=[\s-]+(?:working\s+|calendar\s+)?"
    r"(?:days?|weeks?|months?|years?|hours?|units?|sets?|copies|people|engineers)\b)",
    re.I,
)
# 1998年 is a year, not a quantity of years (a date the rules below do not need).
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}\s*年(?!个)")


def normalise(sentence: str) -> str:
    text = sentence.translate(_FULL_WIDTH).replace("〇", "零")
    text = _CN_NUMBER.sub(_cn_to_digits, text)
    text = _EN_NUMBER.sub(lambda m: str(_EN_NUMBERS[m.group(1).lower()]), text)
    # "72-hour": the hyphen joins number and unit.
    return re.sub(r"(?<=\d)-(?=(?:hours?|days?|weeks?|months?|years?)\b)", " ", text)


# --- 3. what a sentence states -------------------------------------------------------------

_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"

_STANDARD = re.compile(
    r"(?<![A-Za-z])(GB/T|GB/Z|GB|JGJ/T|JGJ|CJJ/T|CJJ|DL/T|JB/T|HG/T|SH/T|SL|TB|YD/T|CECS|DB\d{2}(?:/T)?|"
    r"ISO(?:/IEC)?|IEC|EN|ASTM|ANSI|NFPA|IEEE|BS)\s*(\d+(?:\.\d+)*)((?:[-—:]\s*)\d{2,4})?",
)

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_MONTH_NO = {
    name: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_DATE_ZH = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")
_DATE_ISO = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_DATE_EN_DMY = re.compile(rf"(?<!\d)(\d{{1,2}})\s+({_MONTHS})\.?,?\s+(\d{{4}})", re.I)
_DATE_EN_MDY = re.compile(rf"\b({_MONTHS})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})", re.I)
_EVERY_MONTH_ZH = re.compile(r"每(?:个)?月\s*(\d{1,2})\s*[日号](?:前|之前|以前)?")
_YEAR_MONTH_ZH = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月(?:底|末|前|之前|以前)?(?!\s*\d)")
_MONTH_DAY_ZH = re.compile(r"(?<![\d年])(\d{1,2})\s*月\s*(\d{1,2})\s*[日号](?:前|之前|以前)?")
_EVENTS_ZH = (
    "合同签订|合同签署|签订合同|签署合同|签约|合同生效|开工|进场|中标|验收合格|验收|竣工|到货|发货|"
    "付款|预付款到账|收到预付款|收到图纸|图纸确认|交付|安装完成|通知"
)
_RELATIVE_ZH = re.compile(
    rf"(?:{_EVENTS_ZH})(?:之日)?(?:后|以后|之后|起)\s*(?:的)?\s*({_NUM})\s*"
    r"(个工作日|工作日|个月|天|日|周|星期|年)\s*(?:内|以内|之内|完成)?"
)
_WITHIN_ZH = re.compile(rf"({_NUM})\s*(个工作日|工作日|个月|天|日|周|年)\s*(?:内|以内|之内)")
_EVENTS_EN = (
    "signing|signature|contract signature|the contract|award|site access|mobilisation|"
    "mobilization|delivery|acceptance|commissioning|receipt of [a-z ]+?|notice|payment"
)
_RELATIVE_EN = re.compile(
    rf"\bwithin\s+({_NUM})\s+(working days|business days|calendar days|days|weeks|months)"
    rf"(?:\s+(?:of|after|from|following)\s+(?:the\s+)?(?:{_EVENTS_EN}))?",
    re.I,
)
_BEFORE_EN = re.compile(r"\b(?:by|before|no later than|not later than)\s+$", re.I)

_AMOUNT_ZH = re.compile(
    rf"(?:人民币|RMB|CNY|￥|¥)?\s*({_NUM})\s*(亿元|万元|元|亿|万)(?:人民币)?(?!\s*(?:平方米|平米|米|吨|台|套|人))"
)
_AMOUNT_PREFIX = re.compile(
    rf"(RMB|CNY|USD|US\$|EUR|￥|¥|\$|€)\s*({_NUM})\s*(million|m\b|k\b|万|亿)?", re.I
)
_AMOUNT_EN_SUFFIX = re.compile(
    rf"({_NUM})\s*(million\s+)?(yuan|RMB|CNY|USD|dollars|euros?)\b", re.I
)

_UNITS = [
    # (pattern, normalised unit); longest first.
    ("平方米|平米|㎡|m²|m2|sqm|square metres|square meters", "m²"),
    ("立方米|m³|m3|cubic metres|cubic meters", "m³"),
    ("千米|公里|km", "km"),
    ("毫米|mm", "mm"),
    ("厘米|cm", "cm"),
    ("米|metres|meters|m", "m"),
    ("兆帕|MPa", "MPa"),
    ("千帕|kPa", "kPa"),
    ("微米|μm|microns?", "μm"),
    ("千瓦|kW|kw", "kW"),
    ("兆瓦|MW", "MW"),
    ("千伏安|kVA", "kVA"),
    ("千伏|kV", "kV"),
    ("伏|V", "V"),
    ("吨|tonnes|tons|t", "t"),
    ("千克|公斤|kg", "kg"),
    ("次|times", "次"),
    ("分钟|minutes|min", "分钟"),
    ("秒|seconds|s", "秒"),
    ("欧姆|Ω|ohms?", "Ω"),
    ("摄氏度|℃|°C", "℃"),
    ("Mbps|兆比特每秒", "Mbps"),
    ("个工作日|工作日|working days?|business days?", "工作日"),
    ("天|日|days?|calendar days?", "天"),
    ("小时|hours?|h", "小时"),
    ("周|weeks?", "周"),
    ("个月|months?", "月"),
    ("年|years?", "年"),
    ("台套|台|sets?|units?", "台"),
    ("套", "套"),
    ("个|pcs|pieces?", "个"),
    ("件", "件"),
    ("根", "根"),
    ("人|名|people|persons|engineers|technicians|workers", "人"),
    ("层|floors|storeys", "层"),
    ("间|rooms", "间"),
    ("份|copies", "份"),
    ("处|sites|locations", "处"),
    ("座", "座"),
    ("%|％|percent", "%"),
]
_UNIT_ALT = "|".join(f"(?:{p})" for p, _ in _UNITS)
_QUANTITY = re.compile(rf"(?<![A-Za-z0-9.\-/])({_NUM})\s*(万)?\s*({_UNIT_ALT})(?![a-zA-Z])")
_UNIT_OF = [(re.compile(rf"^(?:{p})$", re.I), unit) for p, unit in _UNITS]

_SIDES_ZH = [
    ("customer", "甲方|业主|客户|建设单位|发包方"),
    ("business", "业务部|商务部|销售部|市场部"),
    ("engineering", "工程部|工程管理部|项目部|施工方|施工单位|技术部"),
    ("contractor", "乙方|承包方|承包人|我方|供货方|供应商"),
]
_DUTY_ZH = (
    "应|须|需|必须|负责|承担|提供|完成|组织|确认|指定|开通|接通|提交|开具|缴纳|支付|派驻|通报"
)
_SIDES_EN = [
    ("customer", "customer|client|owner|employer"),
    ("business", "business department|sales department"),
    ("engineering", "engineering department|site team"),
    ("contractor", "contractor|supplier|vendor"),
]
_DUTY_EN = r"shall|must|is responsible|is to|provides?|pays?"
# 由X… (X does it), or X followed within a few characters by a word of duty (X应…, X在…内支付).
_RESPONSIBLE = [
    (re.compile(rf"由\s*(?:{names})|(?:{names})[^，。；,要希]{{0,8}}?(?:{_DUTY_ZH})"), side)
    for side, names in _SIDES_ZH
] + [
    (re.compile(rf"\b(?:the )?(?:{names})'?s?\s+(?:{_DUTY_EN})\b", re.I), side)
    for side, names in _SIDES_EN
]

VAGUE_ZH = (
    "尽快",
    "尽早",
    "尽量",
    "尽可能",
    "及时",
    "适当",
    "适量",
    "左右",
    "原则上",
    "力争",
    "争取",
    "等",
    "大约",
    "大概",
    "大致",
    "若干",
    "基本上",
    "合理",
    "必要时",
    "视情况",
    "酌情",
    "一些",
    "优质",
    "良好",
    "先进",
    "满意",
    "较好",
    "较高",
    "较多",
    "较大",
    "较长",
    "足够",
    "相关",
    "一流",
)
VAGUE_EN = (
    "as soon as possible",
    "asap",
    "approximately",
    "roughly",
    "about",
    "around",
    "appropriate",
    "appropriately",
    "reasonable",
    "reasonably",
    "if necessary",
    "where possible",
    "as far as possible",
    "etc",
    "and so on",
    "in principle",
    "strive to",
    "best effort",
    "best efforts",
    "adequate",
    "sufficient",
    "timely",
    "promptly",
    "high quality",
    "state of the art",
    "satisfactory",
    "as required",
    "some",
)
# A vague word is found as a substring (jieba keeps 适当提高, 视情况 or 较多 whole), except
# the words that also sit inside a precise one: those count only as jieba's own word
# (等 but not 等级 or 等待; 满意 but not 满意度; 相关 but not 相关性).
_WORD_ONLY_ZH = frozenset({"等", "满意", "相关", "合理", "先进", "良好", "争取"})
_SUBSTRING_ZH = tuple(t for t in VAGUE_ZH if t not in _WORD_ONLY_ZH)
_SAME_TERM = {"等等": "等"}
# 约 is vague before a number (约100米, 约为1.2万); alone it is also 约定 (agreed).
_ABOUT_ZH = re.compile(r"约(?:为|有|计)?\s*(?=\d)")
_VAGUE_EN = re.compile(
    r"\b(" + "|".join(re.escape(t) for t in sorted(VAGUE_EN, key=len, reverse=True)) + r")\b", re.I
)


@dataclass
class Item:
    text: str
    start: int
    end: int
    category: str = ""
    quantities: list[dict] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    amounts: list[dict] = field(default_factory=list)
    standards: list[str] = field(default_factory=list)
    responsible: str = ""
    vague_terms: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def _number(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _plain(value: Decimal) -> str:
    """1200000, 12.5: no exponent, no trailing zeros."""
    value = value.normalize()
    text = format(value, "f")
    return text


def _iso(year: str | int, month: str | int, day: str | int) -> str | None:
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


class _Reader:
    """One sentence, with the spans already used by an earlier rule blanked out."""

    def __init__(self, text: str):
        self.text = text

    def take(self, pattern: re.Pattern) -> list[re.Match]:
        found = list(pattern.finditer(self.text))
        for m in found:
            self.text = self.text[: m.start()] + " " * (m.end() - m.start()) + self.text[m.end() :]
        return found


def _standards(reader: _Reader) -> list[str]:
    out = []
    for m in reader.take(_STANDARD):
        year = re.sub(r"[-—:\s]", "", m.group(3) or "")
        sep = ":" if m.group(1).startswith("ISO") or m.group(1) == "IEC" else "-"
        out.append(f"{m.group(1)} {m.group(2)}" + (f"{sep}{year}" if year else ""))
    return out


def _dates(reader: _Reader) -> list[str]:
    found: list[tuple[int, str]] = []
    for m in reader.take(_DATE_ZH):
        if iso := _iso(*m.groups()):
            found.append((m.start(), iso))
    for m in reader.take(_DATE_ISO):
        if iso := _iso(*m.groups()):
            found.append((m.start(), iso))
    for m in reader.take(_DATE_EN_DMY):
        if iso := _iso(m.group(3), _MONTH_NO[m.group(2).lower()], m.group(1)):
            found.append((m.start(), iso))
    for m in reader.take(_DATE_EN_MDY):
        if iso := _iso(m.group(3), _MONTH_NO[m.group(1).lower()], m.group(2)):
            found.append((m.start(), iso))
    for pattern in (
        _RELATIVE_ZH,
        _RELATIVE_EN,
        _WITHIN_ZH,
        _EVERY_MONTH_ZH,
        _MONTH_DAY_ZH,
        _YEAR_MONTH_ZH,
    ):
        for m in reader.take(pattern):
            found.append((m.start(), re.sub(r"\s+", " ", m.group(0).strip())))
    return [text for _, text in sorted(found)]


_SCALE = {
    "万": Decimal(10_000),
    "亿": Decimal(100_000_000),
    "万元": Decimal(10_000),
    "亿元": Decimal(100_000_000),
    "million": Decimal(1_000_000),
    "m": Decimal(1_000_000),
    "k": Decimal(1_000),
}
_CURRENCY = {
    "rmb": "CNY",
    "cny": "CNY",
    "￥": "CNY",
    "¥": "CNY",
    "yuan": "CNY",
    "元": "CNY",
    "usd": "USD",
    "us$": "USD",
    "$": "USD",
    "dollars": "USD",
    "eur": "EUR",
    "€": "EUR",
    "euro": "EUR",
    "euros": "EUR",
}


def _amounts(reader: _Reader) -> list[dict]:
    found: list[tuple[int, dict]] = []
    for m in reader.take(_AMOUNT_PREFIX):
        value = _number(m.group(2)) * _SCALE.get((m.group(3) or "").lower().strip(), 1)
        found.append(
            (m.start(), {"value": _plain(value), "currency": _CURRENCY[m.group(1).lower()]})
        )
    for m in reader.take(_AMOUNT_ZH):
        unit = m.group(2)
        if (
            unit in ("万", "亿")
            and "元" not in m.group(0)
            and not re.search(r"人民币|RMB|CNY|￥|¥", m.group(0))
        ):
            # 5万 alone is money only where the sentence speaks of money.
            if not re.search(r"金额|价款|费用|款|价|预算|罚|赔偿|保证金|合同额|万元", reader.text):
                continue
        value = _number(m.group(1)) * _SCALE.get(unit, 1)
        found.append((m.start(), {"value": _plain(value), "currency": "CNY"}))
    for m in reader.take(_AMOUNT_EN_SUFFIX):
        value = _number(m.group(1)) * (Decimal(1_000_000) if m.group(2) else 1)
        found.append(
            (m.start(), {"value": _plain(value), "currency": _CURRENCY[m.group(3).lower()]})
        )
    return [amount for _, amount in sorted(found, key=lambda pair: pair[0])]


def _unit(text: str) -> str:
    for pattern, unit in _UNIT_OF:
        if pattern.match(text):
            return unit
    return text


def _quantities(reader: _Reader) -> list[dict]:
    out = []
    for m in reader.take(_QUANTITY):
        value = _number(m.group(1)) * (Decimal(10_000) if m.group(2) else 1)
        out.append({"value": _plain(value), "unit": _unit(m.group(3))})
    return out


def _responsible(text: str) -> str:
    for pattern, side in _RESPONSIBLE:
        if pattern.search(text):
            return side
    return ""


def vague_terms(text: str) -> list[str]:
    """The vague words of one sentence, in order of appearance, each once."""
    found: list[tuple[int, str]] = []
    position = 0
    for word in jieba.cut(text):
        term = _SAME_TERM.get(word, word)
        if term in _WORD_ONLY_ZH:
            found.append((position, term))
        position += len(word)
    for term in _SUBSTRING_ZH:
        start = text.find(term)
        while start >= 0:
            found.append((start, term))
            start = text.find(term, start + len(term))
    found += [(m.start(), "约") for m in _ABOUT_ZH.finditer(text)]
    found += [(m.start(), m.group(1).lower()) for m in _VAGUE_EN.finditer(text)]
    if not _ABOUT_BEFORE_NUMBER.search(text):
        found = [(p, t) for p, t in found if t not in ("about", "around")]
    # 尽可能 holds 尽 but not 尽快; 左右 alone; a longer term found at the same place wins.
    found.sort(key=lambda pair: (pair[0], -len(pair[1])))
    seen: list[str] = []
    covered_until = -1
    for start, term in found:
        if start < covered_until and any(term in longer for longer in seen):
            continue
        if term not in seen:
            seen.append(term)
        covered_until = max(covered_until, start + len(term))
    return seen


# "about"/"around" are vague before a quantity or time ("about 200 m", "around May"),
# not in "talk about the design".
_ABOUT_BEFORE_NUMBER = re.compile(rf"\b(?:about|around)\s+(?:\d|{_MONTHS}|the end)", re.I)


def read_sentence(sentence: str) -> dict:
    """Everything the rules find in one sentence (no category)."""
    normalised = normalise(sentence)
    reader = _Reader(normalised)
    standards = _standards(reader)
    dates = _dates(reader)
    amounts = _amounts(reader)
    reader.take(_YEAR)
    quantities = _quantities(reader)
    return {
        "quantities": quantities,
        "dates": dates,
        "amounts": amounts,
        "standards": standards,
        "responsible": _responsible(normalised),
        "vague_terms": vague_terms(sentence.translate(_FULL_WIDTH)),
    }


def parse(text: str) -> list[Item]:
    """Split a requirement text into items and read each (category by the classifier)."""
    sentences = split_sentences(text)
    categories = categorise([s for _, _, s in sentences])
    items = []
    for (start, end, sentence), category in zip(sentences, categories, strict=True):
        items.append(
            Item(text=sentence, start=start, end=end, category=category, **read_sentence(sentence))
        )
    return items
