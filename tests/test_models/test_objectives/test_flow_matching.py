import pytest
import torch
import torch.nn as nn

from fusionbox.models import UNet
from fusionbox.models.backbones import BackboneOutput, BaseBackbone
from fusionbox.models.objectives.paths import LinearPath, sample_time
from fusionbox.registry import MODELS, OBJECTIVES


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny convolutions run fastest on one thread (and do not fight other processes)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _batch(b=3, n=2, size=8, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(b, n, 1, size, size, generator=g), torch.tensor([0, 2, 3, 1])[:b]


def _unet():
    torch.manual_seed(0)
    return UNet('unet-t', state_channels=1, with_time=True, base='zero')


def _gated_unet():
    """A small U-Net with the source-gated head (end-point prediction); untrained, it predicts
    the mean of the sources at every time."""
    torch.manual_seed(0)
    return UNet(
        dict(base_channels=8, channel_mults=(1, 2), num_blocks=1, emb_dim=16),
        head='gated',
        state_channels=1,
        with_time=True,
    )


class ConstantVelocity(BaseBackbone):
    """A velocity model returning a learnable constant (state_channels and time as required)."""

    def __init__(self):
        super().__init__(1, 1, state_channels=1, accepts_time=True, prompt_dim=None, size_divisor=1)
        self.value = nn.Parameter(torch.zeros(()))

    def forward(self, sources, task, t=None, prompt_emb=None, x=None):
        assert t.shape == (sources.shape[0],) and x.shape == sources[:, 0].shape
        return BackboneOutput(self.value.expand_as(x))


def test_linear_path_end_points_and_velocity():
    path = LinearPath()
    x0, x1 = torch.rand(2, 1, 4, 4), torch.rand(2, 1, 4, 4)
    at0 = path.sample(x0, x1, torch.zeros(2))
    at1 = path.sample(x0, x1, torch.ones(2))
    torch.testing.assert_close(at0.x_t, x0)
    torch.testing.assert_close(at1.x_t, x1)
    torch.testing.assert_close(at0.velocity, x1 - x0)
    t = torch.tensor([0.25, 0.6])
    mid = path.sample(x0, x1, t)
    torch.testing.assert_close(mid.x_t[0], 0.75 * x0[0] + 0.25 * x1[0])
    torch.testing.assert_close(path.end_point(mid.x_t, mid.velocity, t), x1)


def test_time_sampling():
    g = torch.Generator().manual_seed(0)
    t = sample_time(20000, 'logit_normal', mean=1.0, std=1.0, generator=g)
    assert t.shape == (20000,) and t.min() > 0 and t.max() < 1
    assert t.median().item() == pytest.approx(torch.sigmoid(torch.tensor(1.0)).item(), abs=0.02)
    u = sample_time(20000, 'uniform', generator=g)
    assert u.min() >= 0 and u.max() < 1 and u.mean().item() == pytest.approx(0.5, abs=0.02)
    with pytest.raises(ValueError, match='time sampling'):
        sample_time(2, 'beta')


def test_source_anchored_start_is_the_initial_fusion():
    sources, task = _batch(b=4)  # ivf, mef, mff, mif
    objective = OBJECTIVES.build(dict(type='FlowMatching', init_fusion=dict(mff='min')))
    x0 = objective.start_point(sources, task)
    torch.testing.assert_close(x0[0], sources[0].amax(0))
    torch.testing.assert_close(x0[1], sources[1].mean(0))
    torch.testing.assert_close(x0[2], sources[2].amin(0))
    torch.testing.assert_close(x0[3], sources[3].amax(0))
    noisy = OBJECTIVES.build(dict(type='FlowMatching', noise_std=0.1)).start_point(sources, task)
    assert 0.05 < (noisy - objective.initial_fusion(sources, task)).std() < 0.15
    gauss = OBJECTIVES.build(dict(type='FlowMatching', x0='noise')).start_point(sources, task)
    assert gauss.shape == (4, 1, 8, 8) and abs(gauss.mean().item()) < 0.3
    from fusionbox.models.losses.intensity_loss import focus_select

    focus = OBJECTIVES.build(dict(type='FlowMatching', init_fusion=dict(mff='focus')))
    torch.testing.assert_close(focus.start_point(sources, task)[2], focus_select(sources[2:3])[0])


def test_velocity_loss_masks_samples_without_target():
    sources, task = _batch()
    target = torch.rand(3, 1, 8, 8)
    objective = OBJECTIVES.build(dict(type='FlowMatching', time_sampling='logit_normal'))
    net = ConstantVelocity()  # v = 0, so the loss is the mean squared target velocity
    valid = torch.tensor([True, False, True])
    loss = objective.loss(net, sources, task, target, valid)['loss_velocity']
    init = objective.initial_fusion(sources, task)
    expected = ((target - init) ** 2).flatten(1).mean(1)[valid].mean()
    assert loss.item() == pytest.approx(expected.item(), rel=1e-5)
    other = target.clone()
    other[1] = 5.0  # the target of a sample marked invalid does not count
    assert objective.loss(net, sources, task, other, valid)['loss_velocity'].item() == (
        pytest.approx(loss.item(), rel=1e-5)
    )
    for none in (
        objective.loss(net, sources, task),
        objective.loss(net, sources, task, target, torch.zeros(3, dtype=bool)),
    ):
        assert none['loss_velocity'].item() == 0.0 and none['loss_velocity'].requires_grad


def test_auxiliary_losses_train_samples_without_target():
    sources, task = _batch()
    objective = OBJECTIVES.build(
        dict(type='FlowMatching', target_key=None, losses=[dict(type='IntensityLoss')])
    )
    net = ConstantVelocity()
    losses = objective.loss(net, sources, task)
    assert set(losses) == {'loss_velocity', 'loss_intensity'}
    losses['loss_intensity'].backward()
    assert net.value.grad is not None and net.value.grad != 0


def test_predict_solvers_steps_and_clamp():
    sources, task = _batch()
    objective = OBJECTIVES.build(dict(type='FlowMatching', solver=dict(type='RK4'), num_steps=3))
    net = _unet()
    fused, nfe = objective.predict(net, sources, task)
    assert nfe == 12
    torch.testing.assert_close(fused, objective.initial_fusion(sources, task))  # v = 0 untrained
    assert objective.predict(net, sources, task, num_steps=2)[1] == 8
    assert objective.predict(net, sources, task, solver='Heun', num_steps=2)[1] == 4
    assert objective.predict(net, sources, task, solver=dict(type='Euler'))[1] == 3
    shifted = ConstantVelocity()
    shifted.value.data.fill_(2.0)
    assert objective.predict(shifted, sources, task)[0].max().item() == 1.0
    raw = OBJECTIVES.build(dict(type='FlowMatching', clamp=False))
    assert raw.predict(shifted, sources, task, num_steps=1)[0].min().item() >= 2.0
    with pytest.raises(TypeError, match='unknown options'):
        objective.predict(net, sources, task, steps=3)


def test_backbone_without_state_or_time_is_rejected():
    sources, task = _batch()
    objective = OBJECTIVES.build(dict(type='FlowMatching'))
    for net in (UNet('unet-t'), UNet('unet-t', state_channels=1)):
        with pytest.raises(ValueError, match='state_channels=1.*with_time=True'):
            objective.loss(net, sources, task, torch.rand(3, 1, 8, 8))
        with pytest.raises(ValueError, match='state_channels=1'):
            objective.predict(net, sources, task)


def test_config_errors():
    with pytest.raises(ValueError, match='x0'):
        OBJECTIVES.build(dict(type='FlowMatching', x0='zeros'))
    with pytest.raises(ValueError, match='init_fusion'):
        OBJECTIVES.build(dict(type='FlowMatching', init_fusion=dict(ivf='median')))
    with pytest.raises(ValueError, match='auxiliary'):
        OBJECTIVES.build(dict(type='FlowMatching', target_key=None))
    with pytest.raises(KeyError, match='solver.*Nope'):
        OBJECTIVES.build(dict(type='FlowMatching', solver=dict(type='Nope')))
    with pytest.raises(ValueError, match='distinct'):
        OBJECTIVES.build(
            dict(type='FlowMatching', losses=[dict(type='SSIMLoss', loss_name='loss_velocity')])
        )


def test_training_lowers_the_loss():
    sources, task = _batch(b=4, size=16)
    target = (0.7 * sources.amax(1) + 0.3 * sources.mean(1)).clamp(0, 1)
    objective = OBJECTIVES.build(
        dict(type='FlowMatching', noise_std=0.05, losses=[dict(type='GradientLoss')])
    )
    net = _unet()
    valid = torch.tensor([True, True, False, True])

    def total(seed):
        torch.manual_seed(seed)
        return sum(objective.loss(net, sources, task, target, valid).values())

    with torch.no_grad():
        before = sum(total(s).item() for s in range(4))
    optim = torch.optim.Adam(net.parameters(), lr=2e-3)
    for step in range(30):
        optim.zero_grad()
        total(100 + step).backward()
        optim.step()
    with torch.no_grad():
        after = sum(total(s).item() for s in range(4))
    assert after < 0.8 * before


def test_overfitting_one_pair_makes_one_step_prediction_match():
    sources, task = _batch(b=1, size=8, seed=1)
    target = 1 - sources.mean(1)  # far from the initial fusion
    objective = OBJECTIVES.build(dict(type='FlowMatching', num_steps=1))
    net = _unet()
    error_before = (objective.predict(net, sources, task)[0] - target).abs().mean().item()
    optim = torch.optim.Adam(net.parameters(), lr=3e-3)
    for _ in range(80):
        optim.zero_grad()
        objective.loss(net, sources, task, target)['loss_velocity'].backward()
        optim.step()
    with torch.no_grad():
        fused, nfe = objective.predict(net, sources, task)
    assert nfe == 1
    error_after = (fused - target).abs().mean().item()
    assert error_after < 0.25 * error_before, (error_before, error_after)


def test_fuser_with_flow_matching():
    fuser = MODELS.build(
        dict(
            type='AllInOneFuser',
            backbone=dict(
                type='UNet', arch='unet-t', state_channels=1, with_time=True, base='zero'
            ),
            objective=dict(type='FlowMatching', solver=dict(type='Midpoint', num_steps=2)),
        )
    )
    sources, task = _batch(b=2)
    inputs = dict(sources=sources, task=task, gt=torch.rand(2, 1, 8, 8))
    losses = fuser(inputs, mode='loss')
    assert set(losses) == {'loss_velocity'}
    samples = fuser(inputs, mode='predict')
    assert samples[0].metainfo['nfe'] == 4 and samples[0].pred.shape == (1, 8, 8)


def test_end_point_weighting_is_the_error_of_the_one_step_estimate():
    sources, task = _batch()
    target = torch.rand(3, 1, 8, 8)
    net = _gated_unet()
    objective = OBJECTIVES.build(dict(type='FlowMatching', velocity_weighting='end_point'))
    plain = OBJECTIVES.build(dict(type='FlowMatching'))
    torch.manual_seed(1)
    loss = objective.loss(net, sources, task, target)['loss_velocity']
    torch.manual_seed(1)
    unweighted = plain.loss(net, sources, task, target)['loss_velocity']
    # the untrained gated net predicts the mean of the sources as the end point, at every time
    expected = ((sources.mean(1) - target) ** 2).flatten(1).mean(1).mean()
    assert loss.item() == pytest.approx(expected.item(), rel=1e-4)
    assert unweighted.item() > loss.item()  # the plain velocity error grows as 1 / (1 - t)
    with pytest.raises(ValueError, match='velocity_weighting'):
        OBJECTIVES.build(dict(type='FlowMatching', velocity_weighting='snr'))


def test_rollout_trains_on_the_state_of_the_models_first_euler_step():
    sources, task = _batch()
    target = torch.rand(3, 1, 8, 8)
    net = _gated_unet()
    calls = []
    forward = net.forward

    def recording(sources, task, t=None, prompt_emb=None, x=None):
        out = forward(sources, task, t=t, prompt_emb=prompt_emb, x=x)
        calls.append((t.clone(), x.clone(), out.fused.detach().clone(), torch.is_grad_enabled()))
        return out

    net.forward = recording
    objective = OBJECTIVES.build(
        dict(type='FlowMatching', velocity_weighting='end_point', rollout_prob=1.0)
    )
    torch.manual_seed(1)
    loss = objective.loss(net, sources, task, target)['loss_velocity']
    (t0, x0, v0, grad0), (t, x_t, _, grad) = calls
    # first: the model's own velocity at t = 0 from x0 (the elementwise max or mean), no gradient
    assert not grad0 and grad and torch.equal(t0, torch.zeros(3))
    torch.testing.assert_close(x0, objective.start_point(sources, task))
    # then the training state is where an Euler step of size t lands, not the true path's point
    torch.testing.assert_close(x_t, x0 + t.view(-1, 1, 1, 1) * v0)
    on_path = (1 - t.view(-1, 1, 1, 1)) * x0 + t.view(-1, 1, 1, 1) * target
    assert (x_t - on_path).abs().max() > 1e-3
    # the target is still x1: the untrained gated net's end point is the mean of the sources
    # wherever it starts, so the end-point error is the same as on the path
    expected = ((sources.mean(1) - target) ** 2).flatten(1).mean(1).mean()
    assert loss.item() == pytest.approx(expected.item(), rel=1e-4)

    calls.clear()
    none = OBJECTIVES.build(
        dict(type='FlowMatching', velocity_weighting='end_point', rollout_prob=0.0)
    )
    none.loss(net, sources, task, target)
    assert len(calls) == 1  # no extra pass


def test_rollout_config_errors():
    with pytest.raises(ValueError, match='rollout_prob must be in'):
        OBJECTIVES.build(dict(type='FlowMatching', velocity_weighting='end_point', rollout_prob=2))
    with pytest.raises(ValueError, match="needs velocity_weighting='end_point'"):
        OBJECTIVES.build(dict(type='FlowMatching', rollout_prob=0.5))
