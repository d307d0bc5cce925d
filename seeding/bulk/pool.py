"""A pool of scored assessments: scoring is slow, so a few hundred (intake profile,
answers) pairs are scored once and every campaign takes one of them."""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from dataclasses import dataclass, field

from assessments import intake as vocab
from assessments import selectors
from assessments.questionnaire import score, visible_codes

from .sink import _dumps
from .vocabulary import LIST_SIZES, WEIGHTS

# --- the pool of scored assessments ---------------------------------------------------------


@dataclass
class _Profile:
    """The intake fields questionnaire conditions test, and the answer sets scored for it."""

    intake: dict
    json: dict  # field -> JSON text of its list
    entries: list[_Entry] = field(default_factory=list)


@dataclass
class _Entry:
    profile: _Profile
    answers: dict
    answers_json: str
    saves: list[tuple[list[str], str]]  # answer saves: (question codes, section)
    score_json: str
    tier: str
    overall: float
    top: str  # the dimension with the highest residual %
    complete: bool
    prohibited: bool


class _Pool:
    PROFILES = 150

    def __init__(self, questionnaire, rng: random.Random):
        self.questionnaire = questionnaire
        self.definition = selectors.definition_of(questionnaire)
        self.rng = rng
        self.section_of = {
            q.code: section.code for section in self.definition.sections for q in section.questions
        }
        self.order = {q.code: i for i, q in enumerate(self.definition.question_list)}
        self.profiles: list[_Profile] = []
        self.by_tier: dict[str, list[_Entry]] = defaultdict(list)
        self.prohibited: list[_Entry] = []
        self.started: list[_Entry] = []
        self.scored = 0
        self._changes: dict[tuple[int, int], list[str]] = {}
        for index in range(self.PROFILES):
            profile = self._profile()
            for low, high in ((0.0, 0.35), (0.3, 0.7), (0.6, 1.0)):
                self._add(profile, self._answers(profile.intake, rng.uniform(low, high)))
            if index % 3 == 0:
                self._add(profile, self._prohibited(profile.intake))
            if index % 5 == 0:
                self._add(profile, self._answers(profile.intake, rng.random(), sections=2))
            self.profiles.append(profile)
        self.complete = [
            e for p in self.profiles for e in p.entries if e.complete and not e.prohibited
        ]
        if not self.complete:
            raise RuntimeError("No complete assessment could be generated for the questionnaire.")

    # intake
    def _pick(self, name: str) -> list[str]:
        weights = WEIGHTS[name]
        lo, hi = LIST_SIZES[name]
        values = list(weights)
        chosen: set[str] = set()
        for _ in range(self.rng.randint(lo, hi)):
            rest = [v for v in values if v not in chosen]
            chosen.add(self.rng.choices(rest, [weights[v] for v in rest])[0])
        order = [value for value, _label in vocab.LIST_FIELDS[name]]
        return [v for v in order if v in chosen]

    def _profile(self) -> _Profile:
        intake = {name: self._pick(name) for name in vocab.LIST_FIELDS}
        intake["reaches_minors"] = self.rng.random() < 0.08
        intake["reaches_vulnerable"] = self.rng.random() < 0.15
        return _Profile(
            intake=intake, json={name: _dumps(intake[name]) for name in vocab.LIST_FIELDS}
        )

    # answers
    def _answer(self, question, risk: float):
        """An answer whose riskiness follows ``risk`` (0 careful … 1 reckless), never a
        red-flag option."""
        rng = self.rng
        if question.type == "text":
            if question.required or rng.random() < 0.4:
                return "Reviewed with legal and the data team."
            return None
        if question.type == "number":
            bands = question.bands
            if not bands:
                low = int(question.min or 0)
                return rng.randint(low, max(low, int(question.max or 100_000)))
            level = (1 - risk) if question.mitigation else risk
            i = min(len(bands) - 1, max(0, round(level * (len(bands) - 1) + rng.gauss(0, 0.7))))
            low = int(bands[i - 1].upto) + 1 if i > 0 else int(question.min or 0)
            high = int(bands[i].upto) if bands[i].upto is not None else int(question.max or 10**8)
            if question.max is not None:
                high = min(high, int(question.max))
            return rng.randint(low, max(low, high))
        safe = [o for o in question.options if not o.red_flag]
        if question.type == "multiple":
            plain = [o for o in safe if not o.exclusive]
            if question.mitigation:
                chosen = [o for o in plain if o.weight > 0 and rng.random() < 0.9 - 0.8 * risk]
            else:
                chosen = [o for o in plain if rng.random() < 0.8 * risk]
            if not chosen:
                exclusive = [o for o in safe if o.exclusive]
                if exclusive:
                    chosen = exclusive[:1]
                elif plain:
                    chosen = [
                        min(plain, key=lambda o: -o.weight if question.mitigation else o.weight)
                    ]
            return [o.value for o in chosen] or None
        ranked = sorted(safe, key=lambda o: -o.weight if question.mitigation else o.weight)
        if not ranked:
            return None
        i = min(len(ranked) - 1, max(0, round(risk * (len(ranked) - 1) + self.rng.gauss(0, 0.9))))
        return ranked[i].value

    def _complete(self, intake: dict, answers: dict, risk: float, sections: int | None) -> dict:
        """Answer the visible questions in order until no new one appears."""
        allowed = {s.code for s in self.definition.sections[:sections]} if sections else None
        while True:
            added = False
            for code in visible_codes(self.definition, intake, answers):
                if code in answers or (allowed and self.section_of[code] not in allowed):
                    continue
                question = self.definition.questions[code]
                value = question.normalise(self._answer(question, risk))
                answers[code] = value
                added = True
            if not added:
                return {code: value for code, value in answers.items() if value is not None}

    def _answers(self, intake: dict, risk: float, sections: int | None = None) -> dict:
        return self._complete(intake, {}, risk, sections)

    def _prohibited(self, intake: dict) -> dict:
        answers = self._answers(intake, self.rng.uniform(0.3, 0.8))
        visible = set(visible_codes(self.definition, intake, answers))
        flagged = [
            (q, o)
            for q in self.definition.question_list
            if q.code in visible
            for o in q.options
            if o.red_flag
        ]
        if not flagged:
            return answers
        question, option = self.rng.choice(flagged)
        answers[question.code] = question.normalise(
            [option.value] if question.type == "multiple" else option.value
        )
        return self._complete(intake, answers, 0.5, None)

    def _add(self, profile: _Profile, answers: dict) -> None:
        result = score(self.definition, profile.intake, answers, suggest=False)
        self.scored += 1
        data = result.as_dict()
        codes = sorted(answers, key=self.order.__getitem__)
        # Saved in one or two goes, section by section, as people fill it in.
        sections = list(dict.fromkeys(self.section_of[c] for c in codes))
        cuts = self.rng.sample(
            range(1, len(sections)), min(self.rng.choice((0, 1, 1)), max(0, len(sections) - 1))
        )
        bounds = [0, *sorted(cuts), len(sections)]
        groups = [sections[a:b] for a, b in itertools.pairwise(bounds)]
        saves = []
        for group in groups if codes else []:
            in_group = set(group)
            saves.append((sorted(c for c in codes if self.section_of[c] in in_group), group[-1]))
        dimensions = data["dimensions"]
        top = (
            max(sorted(dimensions), key=lambda d: dimensions[d]["residual_pct"])
            if dimensions
            else ""
        )
        entry = _Entry(
            profile=profile,
            answers=answers,
            answers_json=_dumps(answers),
            saves=[s for s in saves if s[0]],
            score_json=_dumps(data),
            tier=result.tier,
            overall=data["overall_pct"],
            top=top,
            complete=result.complete,
            prohibited=result.prohibited,
        )
        profile.entries.append(entry)
        if entry.prohibited:
            self.prohibited.append(entry)
        elif not entry.complete:
            self.started.append(entry)
        else:
            self.by_tier[entry.tier].append(entry)

    # choosing
    def for_tier(self, tier: str) -> _Entry:
        candidates = self.by_tier.get(tier)
        if not candidates:  # a questionnaire that never gives this tier
            return self.rng.choice(self.complete)
        return self.rng.choice(candidates)

    def revision_of(self, entry: _Entry) -> _Entry:
        """Another complete answer set of the same intake profile: the revised assessment
        (the least risky one, usually)."""
        others = [
            e for e in entry.profile.entries if e is not entry and e.complete and not e.prohibited
        ]
        if not others:
            return entry
        if self.rng.random() < 0.8:
            return min(others, key=lambda e: e.overall)
        return self.rng.choice(others)

    def changed_codes(self, old: _Entry, new: _Entry) -> list[str]:
        key = (id(old), id(new))
        codes = self._changes.get(key)
        if codes is None:
            codes = sorted(
                c
                for c in set(old.answers) | set(new.answers)
                if old.answers.get(c) != new.answers.get(c)
            )
            self._changes[key] = codes
        return codes
