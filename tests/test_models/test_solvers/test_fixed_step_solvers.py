import math

import pytest
import torch

from fusionbox.models.solvers import RK4, Euler, Heun, Midpoint
from fusionbox.registry import SOLVERS

ORDERS = {'Euler': 1, 'Heun': 2, 'Midpoint': 2, 'RK4': 4}
STAGES = {'Euler': 1, 'Heun': 2, 'Midpoint': 2, 'RK4': 4}


def _linear_error(solver, a: float, n: int) -> float:
    """Error at t = 1 of dx/dt = a x, x(0) = 1 (exact: e^a), in float64."""
    x0 = torch.ones(2, 1, 2, 2, dtype=torch.float64)
    x1, _ = solver.sample(lambda x, t: a * x, x0, n)
    return (x1 - math.exp(a)).abs().max().item()


@pytest.mark.parametrize('name', sorted(ORDERS))
def test_order_of_accuracy_on_a_linear_ode(name):
    solver = SOLVERS.build(dict(type=name))
    n = 16
    for a in (1.0, -2.0):
        e1, e2 = _linear_error(solver, a, n), _linear_error(solver, a, 2 * n)
        assert e2 < e1
        order = math.log2(e1 / e2)  # error ~ h^p, halving h divides it by 2^p
        assert order == pytest.approx(ORDERS[name], abs=0.25), (name, a, order)


@pytest.mark.parametrize('name', sorted(ORDERS))
def test_nfe_is_exact(name):
    solver = SOLVERS.build(dict(type=name, num_steps=3))
    calls = []

    def velocity(x, t):
        calls.append(t)
        assert t.shape == (x.shape[0],)  # times are (B,)
        return torch.zeros_like(x)

    _, nfe = solver.sample(velocity, torch.zeros(2, 1, 4, 4))
    assert nfe == len(calls) == 3 * STAGES[name]
    _, nfe = solver.sample(velocity, torch.zeros(2, 1, 4, 4), num_steps=5)
    assert nfe == 5 * STAGES[name]
    assert min(t.min().item() for t in calls) == 0.0
    assert max(t.max().item() for t in calls) <= 1.0


@pytest.mark.parametrize('cls', [Euler, Heun, Midpoint, RK4])
def test_constant_velocity_is_exact_in_one_step(cls):
    x0 = torch.rand(2, 1, 4, 4)
    v = torch.randn(2, 1, 4, 4)
    x1, nfe = cls().sample(lambda x, t: v, x0, num_steps=1)
    torch.testing.assert_close(x1, x0 + v)
    assert nfe == STAGES[cls.__name__]


def test_time_grid_goes_from_zero_to_one():
    # dx/dt = 2 t integrates to x(1) = x(0) + 1; Euler with one step only sees t = 0.
    x0 = torch.zeros(1, 1, 1, 1, dtype=torch.float64)

    def velocity(x, t):
        return 2 * t.view(-1, 1, 1, 1).expand_as(x)

    assert Euler().sample(velocity, x0, 1)[0].item() == 0.0
    assert Euler().sample(velocity, x0, 4)[0].item() == pytest.approx(0.75)  # 2 h^2 sum i
    for cls in (Heun, Midpoint, RK4):  # exact for a velocity linear in t
        assert cls().sample(velocity, x0, 1)[0].item() == pytest.approx(1.0)


def test_invalid_steps():
    with pytest.raises(ValueError, match='num_steps'):
        Euler(num_steps=0)
    with pytest.raises(ValueError, match='num_steps'):
        RK4().sample(lambda x, t: x, torch.zeros(1, 1, 1, 1), num_steps=1.5)
