"""Prompt banks (>= 10 phrasings per operation, each naming it) and the prompt composer."""

import re

import numpy as np
import pytest

from fusionbox.degradations import PROMPT_BANK, BaseDegradation, register_prompts
from fusionbox.degradations.prompt_bank import COMBINATIONS, SOURCE_PHRASES
from fusionbox.degradations.prompts import DegradationPromptComposer, _fill, source_phrase
from fusionbox.registry import DEGRADATIONS

BUILTIN = sorted(
    n
    for n, c in DEGRADATIONS.module_dict.items()
    if isinstance(c, type)
    and issubclass(c, BaseDegradation)
    and c.__module__.startswith('fusionbox.')
)


@pytest.mark.parametrize('name', BUILTIN)
def test_each_operation_has_ten_distinct_phrasings_naming_it(name):
    bank = PROMPT_BANK[name]
    assert len(set(bank['sentences'])) >= 10 and len(set(bank['actions'])) >= 10
    for text in bank['sentences'] + bank['actions']:
        assert any(k in text.lower() for k in bank['keywords']), (name, text)
    for plural, phrase in ((False, 'the infrared image'), (True, 'both images')):
        for template in bank['sentences']:
            filled = _fill(template, phrase, plural)
            assert '{' not in filled and filled[0].isupper() and filled.endswith(('.', '?'))
    assert all(a == a.lower() or 'JPEG' in a or 'Gaussian' in a for a in bank['actions'])


def test_every_combination_template_fills():
    for template in COMBINATIONS:
        text = _fill(template, 'the visible image', False, actions='remove the rain')
        assert 'remove the rain' in text and 'visible image' in text.lower()


def test_prompt_names_the_source_when_only_some_are_degraded():
    compose = DegradationPromptComposer()
    rng = np.random.default_rng(0)
    records = [
        dict(type='StripeNoise', sources=['ir']),
        dict(type='Rain', sources=['vi']),
        dict(type='Haze', sources=['vi']),
    ]
    prompt = compose(records, ['ir', 'vi'], rng)
    assert 'infrared' in prompt and 'visible' in prompt
    assert 'stripe' in prompt.lower() and 'rain' in prompt.lower()
    assert re.search(r'haz|fog|mist', prompt.lower())
    both = compose([dict(type='GaussianNoise', sources=['under', 'over'])], ['under', 'over'], rng)
    assert 'both images' in both.lower()
    alone = compose([dict(type='Rain', sources=['source0'])], None, rng)
    assert 'this image' in alone.lower()
    assert source_phrase(['ct'], ['ct', 'mri']) == (SOURCE_PHRASES['ct'], False)
    assert compose([], ['ir', 'vi'], rng) == ''


def test_prompts_are_deterministic_by_seed_and_varied():
    compose = DegradationPromptComposer()
    records = [dict(type='Rain', sources=['vi'])]
    prompts = [compose(records, ['ir', 'vi'], np.random.default_rng(s)) for s in range(30)]
    again = [compose(records, ['ir', 'vi'], np.random.default_rng(s)) for s in range(30)]
    assert prompts == again and len(set(prompts)) >= 8


def test_ambiguous_prompts_and_plugin_fallback():
    vague = DegradationPromptComposer(ambiguous_prob=1.0)(
        [dict(type='Rain', sources=['vi'])], ['ir', 'vi'], np.random.default_rng(0)
    )
    assert 'rain' not in vague.lower()
    text = DegradationPromptComposer()(
        [dict(type='SaltPepperNoise', sources=['vi'])], ['ir', 'vi'], np.random.default_rng(0)
    )
    assert 'salt pepper noise' in text and 'visible image' in text
    register_prompts('_TestOp', ['Fix the test blemish in {src}.'], ['fix the test blemish'])
    try:
        text = DegradationPromptComposer()(
            [dict(type='_TestOp', sources=['vi'])], ['ir', 'vi'], np.random.default_rng(0)
        )
        assert text == 'Fix the test blemish in the visible image.'
    finally:
        PROMPT_BANK.pop('_TestOp')
