import math

import torch

from fusionbox.models.solvers import Adaptive
from fusionbox.registry import SOLVERS


def test_dopri5_is_accurate_and_counts_every_call():
    calls = []

    def velocity(x, t):
        calls.append(t)
        assert t.shape == (x.shape[0],)
        return -2.0 * x

    solver = SOLVERS.build(dict(type='Adaptive', rtol=1e-7, atol=1e-9))
    assert isinstance(solver, Adaptive) and solver.method == 'dopri5'
    x0 = torch.ones(2, 1, 3, 3, dtype=torch.float64)
    x1, nfe = solver.sample(velocity, x0)
    assert (x1 - math.exp(-2.0)).abs().max().item() < 1e-6
    assert nfe == len(calls) > 0


def test_tolerances_and_method_change_the_cost():
    x0 = torch.ones(1, 1, 2, 2, dtype=torch.float64)

    def velocity(x, t):
        return torch.cos(4 * t).view(-1, 1, 1, 1) * x

    _, nfe_tight = Adaptive(rtol=1e-8, atol=1e-10).sample(velocity, x0)
    x_loose, nfe_loose = Adaptive(rtol=1e-3, atol=1e-3).sample(velocity, x0)
    assert 0 < nfe_loose < nfe_tight
    assert (x_loose - math.exp(math.sin(4.0) / 4)).abs().max().item() < 1e-2
    _, nfe_bosh = Adaptive(method='bosh3', rtol=1e-3, atol=1e-3).sample(velocity, x0)
    assert nfe_bosh > 0


def test_num_steps_does_not_change_an_adaptive_solve():
    x0 = torch.ones(1, 1, 2, 2)
    solver = Adaptive()
    a = solver.sample(lambda x, t: x, x0, num_steps=1)
    b = solver.sample(lambda x, t: x, x0, num_steps=50)
    torch.testing.assert_close(a[0], b[0])
    assert a[1] == b[1]
