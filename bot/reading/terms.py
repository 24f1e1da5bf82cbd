"""Money and timing in the user's words: "50% upfront", "£800", "transfer tonight", "by Friday"."""

from __future__ import annotations

import re

_NUMBER = r"\d[\d,.]*(?:\s?(?:k|m|bn|mil|million|grand))?"
_CURRENCY = r"(?:[£$€¥₹]|usd|eur|gbp|chf|aud|cad)"
_UNIT = (
    r"(?:quid|bucks|dollars?|euros?|pounds?|usd|eur|gbp|chf|btc|eth|usdt|usdc|sats|k|grand|"
    r"a month|per month|/month|a year|per year|an hour|per hour|/hr|/h)"
)
_AFTER = (
    r"(?:\s+(?:upfront|up front|up-front|deposit|down|in cash|cash|a month|per month|a year|"
    r"per year|on signing|on delivery|now|by bank transfer|via bank transfer|in advance|"
    r"non-?refundable))?"
)
MONEY = re.compile(
    rf"(?:{_CURRENCY}\s?{_NUMBER}|\b{_NUMBER}\s?{_UNIT}\b|\b\d{{1,3}}\s?%(?:\s+(?:of the \w+|equity|"
    rf"stake|upfront|up front|deposit|down|now|on signing|on delivery|of the price))?)"
    rf"{_AFTER}"
    r"|\b(?:pay(?:ing)?|paid|send(?:ing)?|sent|transfer(?:ring)?)\s+(?:him|her|them|it)?\s*"
    r"(?:in full\s+)?(?:upfront|up front|in advance|by bank transfer|in cash|cash|first)\b"
    r"|\b(?:full|half|the whole) (?:payment|price|amount|fee) (?:upfront|up front|in advance)\b",
    re.I,
)
_DAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend)"
_COUNT = r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|twelve|a few|a couple of)"
_SPAN = r"(?:days?|weeks?|months?|years?|hours?|minutes?)"
TIMING = re.compile(
    rf"\b(?:{_COUNT}\s+{_SPAN}\s+(?:before|after|from now|into|of notice|notice|ahead of|until|"
    rf"later|in)(?:\s+(?:the|my|our|his|her)\s+\w+)?"
    rf"|(?:in|within|for|after)\s+{_COUNT}\s+{_SPAN}"
    rf"|(?:by|on|this|next|last|until|before)\s+(?:the\s+)?(?:{_DAY}|end of (?:the )?(?:week|month|"
    r"year|quarter|day)|tomorrow|tonight|christmas|new year|summer|winter|spring|autumn|the wedding|"
    r"\d{1,2}(?:st|nd|rd|th)?(?:\s+\w+)?)"
    r"|tonight|tomorrow(?:\s+(?:morning|night|evening))?|tmrw|tmr|today|right now|asap|"
    r"on the spot|at the viewing|this (?:week|month|year|evening|afternoon|morning)|"
    r"next (?:week|month|year)|end of (?:the )?(?:week|month|year|quarter))\b",
    re.I,
)


def find_money(text: str) -> str | None:
    """The first amount or payment term, as written."""
    match = MONEY.search(text)
    return match.group(0).strip(" ,.") if match else None


def find_timing(text: str) -> str | None:
    """The first time or deadline, as written."""
    match = TIMING.search(text)
    return match.group(0).strip(" ,.") if match else None


# What the user hands over before getting anything back: "wants 60% advance", "we're paying 70%
# upfront", "£85k on signing". Only the user paying: a muralist asking 30% up front is covered.
_SHARE = (
    rf"(?:\d{{1,3}}\s?%|{_CURRENCY}\s?{_NUMBER}(?:k|m)?|\b{_NUMBER}\s?(?:k|lakh|crore|grand)\b|half|"
    rf"the full (?:{_CURRENCY}\s?{_NUMBER}(?:k|m)?|\w+))"
)
_BEFORE = (
    r"(?:up ?front|up-front|in advance|advance|as (?:an? )?(?:advance|deposit)|deposit|on signing|"
    r"before (?:work|anything|they|he|she|it) (?:starts?|begins?|ships?)|now)"
)
UPFRONT = (
    re.compile(
        rf"(?:\b(?:we'?re|we are|i'?m|i am|we'?ll|i'?ll|we|i)\s+"
        rf"(?:(?:have|need|got|going|want|agreed|asked|told) to\s+|would\s+|should\s+|be\s+)?"
        rf"|(?:^|[.!?,;]\s*)|\b(?:asks?|asked|wants?|told|expects?) (?:us|me) to\s+)"
        rf"(?:pay(?:ing)?|paid|send(?:ing)?|wir(?:e|ing)|transferr?(?:ing)?)\s+"
        rf"(?:him|her|them|it\s+)?\s*({_SHARE})\s+{_BEFORE}\b",
        re.I,
    ),
    re.compile(
        rf"\b(?:wants?|wanting|asks? for|asking(?: for)?|asked for|requires?|needs?|demands?|"
        rf"expects?|insists? on)\s+(?:a |an |us to pay |me to pay |)({_SHARE})\s+{_BEFORE}\b",
        re.I,
    ),
)


def find_upfront(text: str) -> str | None:
    """The amount the user would pay before getting anything ("60%", "£85k"), as written."""
    for pattern in UPFRONT:
        if match := pattern.search(text):
            return match.group(1).strip()
    return None
