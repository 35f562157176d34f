"""EWC: the empirical Fisher and the quadratic penalty."""

import pytest
import torch
import torch.nn as nn

from fusionbox.continual import EWC, Compose, Naive, empirical_fisher


class TwoHeads(nn.Module):
    """``used`` is on the loss path; ``unused`` never is; ``frozen`` does not train."""

    def __init__(self):
        super().__init__()
        self.used = nn.Linear(3, 2)
        self.unused = nn.Linear(3, 2)
        self.frozen = nn.Linear(3, 2)
        self.frozen.requires_grad_(False)


def loss_fn(model):
    def fn(batch):
        x = torch.stack(batch['inputs'])  # (B, 3)
        return (model.used(x) - 1.0).pow(2).mean()

    return fn


def batches(n=4, b=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [
        {'inputs': list(torch.randn(b, 3, generator=g)), 'data_samples': [None] * b}
        for _ in range(n)
    ]


def test_fisher_positive_on_used_and_zero_on_untouched_parameters():
    torch.manual_seed(0)
    model = TwoHeads()
    fisher = empirical_fisher(model, batches(), loss_fn(model), num_samples=10)
    assert set(fisher) == {'used.weight', 'used.bias', 'unused.weight', 'unused.bias'}
    assert (fisher['used.weight'] > 0).all() and (fisher['used.bias'] > 0).all()
    assert torch.count_nonzero(fisher['unused.weight']) == 0
    assert torch.count_nonzero(fisher['unused.bias']) == 0
    assert all(p.grad is None for p in model.parameters())  # gradients cleaned up


def test_fisher_is_the_mean_of_squared_per_sample_gradients():
    torch.manual_seed(0)
    model = TwoHeads()
    data = batches(n=1, b=3)
    fisher = empirical_fisher(model, data, loss_fn(model), num_samples=3)
    expected = torch.zeros_like(model.used.weight)
    for x in data[0]['inputs']:
        model.zero_grad()
        loss_fn(model)({'inputs': [x]}).backward()
        expected += model.used.weight.grad**2 / 3
    assert torch.allclose(fisher['used.weight'], expected, atol=1e-7)


def _consolidated(lambda_=2.0, **kw):
    torch.manual_seed(0)
    model = TwoHeads()
    ewc = EWC(lambda_=lambda_, num_samples=6, **kw)
    assert ewc.penalty(model) == {}  # nothing consolidated yet
    ewc.after_task(model, batches(), loss_fn(model))
    return model, ewc


def test_penalty_zero_at_anchor_and_quadratic_away_from_it():
    model, ewc = _consolidated()
    assert ewc.penalty(model)['loss_ewc'].item() == 0.0
    anchor = {n: p.detach().clone() for n, p in model.named_parameters()}
    direction = {n: torch.randn_like(p) for n, p in model.named_parameters()}
    values = []
    for scale in (0.1, 0.2, 0.4):
        with torch.no_grad():
            for n, p in model.named_parameters():
                p.copy_(anchor[n] + scale * direction[n])
        values.append(ewc.penalty(model)['loss_ewc'].item())
    assert values[0] > 0
    assert values[1] == pytest.approx(4 * values[0], rel=1e-5)
    assert values[2] == pytest.approx(16 * values[0], rel=1e-5)
    fisher = ewc.fishers[0]
    expected = 0.5 * 2.0 * sum((fisher[n] * (0.4 * direction[n]) ** 2).sum() for n in fisher)
    assert values[2] == pytest.approx(expected.item(), rel=1e-5)


def test_penalty_has_gradient_and_ignores_untouched_parameters():
    model, ewc = _consolidated()
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.5)
    ewc.penalty(model)['loss_ewc'].backward()
    assert model.used.weight.grad.abs().sum() > 0
    assert model.unused.weight.grad.abs().sum() == 0


def test_online_keeps_one_decayed_running_fisher():
    model, ewc = _consolidated(online=True, gamma=0.5)
    first = {n: f.clone() for n, f in ewc.fishers[0].items()}
    ewc.after_task(model, batches(seed=1), loss_fn(model))
    assert len(ewc.fishers) == len(ewc.anchors) == 1
    new = empirical_fisher(model, batches(seed=1), loss_fn(model), 6)
    assert torch.allclose(
        ewc.fishers[0]['used.weight'], 0.5 * first['used.weight'] + new['used.weight']
    )


def test_offline_keeps_one_entry_per_task_and_state_round_trips():
    model, ewc = _consolidated(normalize=True)
    ewc.after_task(model, batches(seed=1), loss_fn(model))
    assert len(ewc.fishers) == 2
    total = sum(f.sum() for f in ewc.fishers[0].values())
    assert total / sum(f.numel() for f in ewc.fishers[0].values()) == pytest.approx(1.0)
    other = EWC(lambda_=2.0)
    other.load_state_dict(ewc.state_dict())
    with torch.no_grad():
        model.used.weight.add_(0.3)
    assert torch.equal(other.penalty(model)['loss_ewc'], ewc.penalty(model)['loss_ewc'])


def test_compose_merges_penalties_and_states():
    model, ewc = _consolidated()
    with torch.no_grad():
        model.used.weight.add_(0.3)
    both = Compose([ewc, Naive()])
    assert torch.equal(both.penalty(model)['loss_ewc'], ewc.penalty(model)['loss_ewc'])
    state = both.state_dict()
    with pytest.raises(ValueError, match='strategies'):
        Compose([Naive()]).load_state_dict(state)
