"""The strategy written in docs/user_guides/continual.md works as printed."""

import re
from pathlib import Path

import pytest
import torch
import torch.nn as nn

DOC = Path(__file__).resolve().parents[2] / 'docs/user_guides/continual.md'


def test_write_a_strategy_example():
    blocks = re.findall(r'```python\n(.*?)```', DOC.read_text(), flags=re.S)
    code = next(b for b in blocks if 'class L2Anchor' in b)
    # run it without registering a toy class into the global registry
    code = code.replace('@CONTINUAL_STRATEGIES.register_module()\n', '')
    namespace: dict = {}
    exec(compile(code, str(DOC), 'exec'), namespace)
    strategy = namespace['L2Anchor'](weight=0.5)
    model = nn.Linear(2, 1)
    assert strategy.penalty(model) == {}
    strategy.after_task(model, iter(()), None)
    assert strategy.penalty(model)['loss_l2'].item() == 0.0
    with torch.no_grad():
        model.weight.add_(1.0)
    assert strategy.penalty(model)['loss_l2'].item() == pytest.approx(0.5 * 2)
    restored = namespace['L2Anchor']()
    restored.load_state_dict(strategy.state_dict())
    assert restored.anchor is strategy.anchor
