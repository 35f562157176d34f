"""Natural-language restoration instructions for the degradations drawn for a sample.

:class:`DegradationPromptComposer` turns the records of the applied operations into one
instruction: operations hitting the same source(s) are phrased together ("Please remove the rain
streaks and clear the fog in the visible image."), naming the source when only some of the
sample's sources were degraded, "both images" when all were; several groups become several
sentences. The phrasings come from :data:`fusionbox.degradations.prompt_bank.PROMPT_BANK` and are
drawn with the generator given, so the prompt is deterministic by seed.

Ref: MMAIF (Cao et al., ICCV 2025) writes restoration instructions from banks of phrasings per
degradation; InstructIR (Conde et al., ECCV 2024) trains on varied human-written instructions.
"""

from __future__ import annotations

import re
from typing import Dict, List, Sequence

import numpy as np

from fusionbox.registry import DEGRADATIONS

from .prompt_bank import AMBIGUOUS, COMBINATIONS, CONNECTORS, PROMPT_BANK, SOURCE_PHRASES

_SINGULAR = dict(it='it', be='is', have='has', was='was', looks='looks')
_PLURAL = dict(it='them', be='are', have='have', was='were', looks='look')


def register_prompts(
    name: str, sentences: Sequence[str], actions: Sequence[str], keywords: Sequence[str] = ()
) -> None:
    """Add (or replace) the phrasings of degradation ``name`` (e.g. from a plugin).

    Args:
        name: registered name of the degradation.
        sentences: whole instructions with the placeholders of :mod:`.prompt_bank`.
        actions: lower-case verb phrases ("remove the salt-and-pepper noise").
        keywords: word stems the phrasings contain. Defaults to ().
    """
    if not sentences or not actions:
        raise ValueError(f'prompts of {name!r} need at least one sentence and one action')
    PROMPT_BANK[name] = dict(
        keywords=tuple(keywords), sentences=list(sentences), actions=list(actions)
    )


def source_phrase(targets: Sequence[str], all_sources: Sequence[str] | None) -> tuple:
    """How to name the degraded ``targets`` among ``all_sources``: ``(phrase, plural)``.

    ``all_sources`` None (a lone image) gives "this image"; all sources of a multi-source
    sample give "both images" / "all the images"; otherwise each target by its kind.
    """
    targets = list(dict.fromkeys(targets))
    if all_sources is None or len(all_sources) <= 1:
        return 'this image', False
    if len(targets) == len(all_sources) and len(targets) > 1:
        return ('both images' if len(targets) == 2 else 'all the images'), True
    names = [SOURCE_PHRASES.get(t, f'the {t} image') for t in targets]
    if len(names) == 1:
        return names[0], False
    return _join(names), True


def _join(items: List[str]) -> str:
    return items[0] if len(items) == 1 else ', '.join(items[:-1]) + ' and ' + items[-1]


def _fill(template: str, phrase: str, plural: bool, **extra) -> str:
    forms = _PLURAL if plural else _SINGULAR
    noun = phrase[4:] if phrase.startswith('the ') else phrase.split(' ', 1)[-1]
    text = template.format(
        src=phrase,
        Src=phrase[0].upper() + phrase[1:],
        src_noun=noun,
        it=forms['it'],
        **{'is': forms['be'], 'has': forms['have']},
        was=forms['was'],
        looks=forms['looks'],
        **extra,
    )
    return text[0].upper() + text[1:]


@DEGRADATIONS.register_module()
class DegradationPromptComposer:
    """Write one instruction for the operations applied to a sample.

    Registered in DEGRADATIONS next to the operations it describes (it is not an operation).

    Args:
        ambiguous_prob: probability of an instruction that names no degradation ("Please
            restore these images."), as MMAIF mixes in; 0 keeps every prompt specific.
            Defaults to 0.
        connector_prob: probability that a second or later sentence starts with a connector
            ("Also, ..."). Defaults to 0.5.
    """

    def __init__(self, ambiguous_prob: float = 0.0, connector_prob: float = 0.5):
        if not 0.0 <= ambiguous_prob <= 1.0 or not 0.0 <= connector_prob <= 1.0:
            raise ValueError('ambiguous_prob and connector_prob must be in [0, 1]')
        self.ambiguous_prob = ambiguous_prob
        self.connector_prob = connector_prob

    def __call__(
        self, records: Sequence[dict], source_names: Sequence[str] | None, rng: np.random.Generator
    ) -> str:
        """Compose the prompt.

        Args:
            records: applied operations, each a dict with ``type`` (registered name) and
                ``sources`` (the names of the sources it hit), in application order.
            source_names: all source names of the sample; None for a lone image.
            rng: the random generator (the same state gives the same prompt).

        Returns:
            The instruction ('' when ``records`` is empty).
        """
        if not records:
            return ''
        if self.ambiguous_prob > 0 and rng.random() < self.ambiguous_prob:
            return AMBIGUOUS[int(rng.integers(len(AMBIGUOUS)))]
        groups: Dict[tuple, List[str]] = {}
        for record in records:
            key = tuple(record.get('sources') or ())
            if record['type'] not in groups.setdefault(key, []):
                groups[key].append(record['type'])
        sentences = []
        for targets, ops in groups.items():
            phrase, plural = source_phrase(targets, source_names)
            sentences.append(self._sentence(ops, phrase, plural, rng))
        for i in range(1, len(sentences)):
            if rng.random() < self.connector_prob:
                sentences[i] = self._connect(sentences[i], rng)
        return ' '.join(sentences)

    def _sentence(self, ops: List[str], phrase: str, plural: bool, rng) -> str:
        if len(ops) == 1:
            bank = _bank(ops[0])['sentences']
            return _fill(bank[int(rng.integers(len(bank)))], phrase, plural)
        actions = []
        for op in ops:
            bank = _bank(op)['actions']
            actions.append(bank[int(rng.integers(len(bank)))])
        template = COMBINATIONS[int(rng.integers(len(COMBINATIONS)))]
        return _fill(template, phrase, plural, actions=_join(actions))

    @staticmethod
    def _connect(sentence: str, rng) -> str:
        connector = CONNECTORS[int(rng.integers(len(CONNECTORS)))]
        first = sentence.split(' ', 1)[0]
        keep = first.isupper() or (len(first) > 1 and first[1].isupper())  # CT, MRI, I'd
        return connector + (
            sentence if keep or first == "I'd" else sentence[0].lower() + sentence[1:]
        )

    def __repr__(self) -> str:
        return (
            f'{type(self).__name__}(ambiguous_prob={self.ambiguous_prob}, '
            f'connector_prob={self.connector_prob})'
        )


def _bank(name: str) -> dict:
    """The phrasings of ``name``; a plain fallback from the class name for a degradation that
    registered none (``SaltPepperNoise`` -> "remove the salt pepper noise")."""
    if name in PROMPT_BANK:
        return PROMPT_BANK[name]
    words = re.sub(r'(?<=[a-z0-9])(?=[A-Z])', ' ', name).lower()
    return dict(
        keywords=(words,),
        sentences=[f'Remove the {words} from {{src}}.'],
        actions=[f'remove the {words}'],
    )
