"""The counterpart's own pronoun in questions: "Chloe... her share", not "their share".

Templates say "they" for a counterpart of unknown gender. When the user's words make it plain
("my sister", "Chloe... she"), the possessive and object forms, and "they" before a modal, are
changed; other "they" are left alone, since "she lose" would be worse than "they lose".
"""

from __future__ import annotations

import re

_MALE = frozenset(
    [
        "he",
        "him",
        "his",
        "guy",
        "bloke",
        "man",
        "husband",
        "boyfriend",
        "dad",
        "father",
        "brother",
        "uncle",
        "son",
        "grandad",
        "grandpa",
        "nephew",
        "stepdad",
        "mr",
    ]
)
_FEMALE = frozenset(
    [
        "she",
        "her",
        "hers",
        "girl",
        "lady",
        "woman",
        "wife",
        "girlfriend",
        "mum",
        "mom",
        "mother",
        "sister",
        "aunt",
        "auntie",
        "daughter",
        "gran",
        "grandma",
        "nan",
        "niece",
        "stepmum",
        "mrs",
        "ms",
    ]
)
_PRONOUN = re.compile(r"\b(he|him|his|she|her|hers)\b", re.I)
_FORMS = {
    "male": {"their": "his", "them": "him", "theirs": "his", "themselves": "himself", "they": "he"},
    "female": {"their": "her", "them": "her", "theirs": "hers", "themselves": "herself", "they": "she"},
}  # fmt: skip
# "they" changes only where no verb agrees with it: "they would", "they'll", "they said".
_THEY = re.compile(
    r"\bthey(?=(?:'d|'ll)\b| (?:would|could|will|might|can|should|must|had|did|said|told|"
    r"paid|left|sold|bought|took|kept|gave|went|agreed|promised|never|still|also|just)\b)",
    re.I,
)
# "many of them", "each of them": not the counterpart.
_OTHERS_THEM = re.compile(r"\b(?:of|among|between|all|both) them\b", re.I)


def gender_of(counterpart: str | None, named: bool, message: str) -> str | None:
    """'male', 'female' or None: from the role word ("your sister"), else from the first
    pronoun after a named counterpart in the message ("Chloe ... she")."""
    if not counterpart:
        return None
    head = counterpart.lower().replace("'s", " ").split()[-1]
    if head in _MALE or head in _FEMALE:
        return "male" if head in _MALE else "female"
    if not named:
        return None
    where = message.lower().find(counterpart.lower())
    found = _PRONOUN.search(message[where + len(counterpart) :]) if where >= 0 else None
    if not found:
        return None
    return "male" if found.group(1).lower() in _MALE else "female"


def gendered(text: str, gender: str | None) -> str:
    """The question with the counterpart's pronouns in their gender (unchanged when None)."""
    if gender is None:
        return text
    forms = _FORMS[gender]
    others = {m.end() - len("them") for m in _OTHERS_THEM.finditer(text)}

    def swap(m: re.Match[str]) -> str:
        word = m.group(0)
        if m.start() in others:
            return word
        new = forms[word.lower()]
        return new.capitalize() if word[0].isupper() else new

    text = re.sub(r"\b(?:their|theirs|themselves|them)\b", swap, text, flags=re.I)
    return _THEY.sub(swap, text)
