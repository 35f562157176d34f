import pytest
import torch

from fusionbox.registry import AUTOENCODERS


@pytest.mark.parametrize(
    'cfg, channels, factor',
    [
        (dict(type='IdentityAutoencoder'), 1, 1),
        (dict(type='PixelUnshuffleAutoencoder', factor=2), 4, 2),
        (dict(type='PixelUnshuffleAutoencoder', factor=4, in_channels=3), 48, 4),
        (dict(type='HaarWaveletAutoencoder', levels=1), 4, 2),
        (dict(type='HaarWaveletAutoencoder', levels=2), 16, 4),
        (dict(type='HaarWaveletAutoencoder', levels=3, in_channels=2), 128, 8),
    ],
)
def test_lossless_autoencoders_reconstruct_exactly_and_change_shape_as_stated(
    cfg, channels, factor
):
    ae = AUTOENCODERS.build(cfg)
    c = cfg.get('in_channels', 1)
    x = torch.rand(2, c, 32, 24, generator=torch.Generator().manual_seed(0))
    z = ae.encode(x)
    assert ae.latent_channels == channels and ae.downsample == factor and ae.lossless
    assert z.shape == (2, channels, 32 // factor, 24 // factor)
    torch.testing.assert_close(ae.decode(z), x, atol=1e-6, rtol=0)
    assert sum(p.numel() for p in ae.parameters()) == 0


@pytest.mark.parametrize('levels', [1, 2])
def test_haar_is_orthonormal_with_the_approximation_first(levels):
    ae = AUTOENCODERS.build(dict(type='HaarWaveletAutoencoder', levels=levels))
    x = torch.rand(3, 1, 16, 16, generator=torch.Generator().manual_seed(1))
    z = ae.encode(x)
    # energy is preserved (orthonormal) and the first channel is the scaled local mean
    torch.testing.assert_close(z.square().sum(), x.square().sum(), rtol=1e-5, atol=1e-4)
    d = 2**levels
    mean = torch.nn.functional.avg_pool2d(x, d)
    torch.testing.assert_close(z[:, :1], mean * d, atol=1e-5, rtol=0)
    # a constant image has no detail coefficients
    flat = ae.encode(torch.full((1, 1, 16, 16), 0.3))
    assert flat[:, 1:].abs().max() < 1e-6


def test_haar_level_one_bands_match_the_definition():
    ae = AUTOENCODERS.build(dict(type='HaarWaveletAutoencoder'))
    x = torch.tensor([[[[1.0, 2.0], [3.0, 4.0]]]])  # a b / c d
    z = ae.encode(x).flatten()
    torch.testing.assert_close(z, torch.tensor([10.0, -2.0, -4.0, 0.0]) / 2)


def test_sizes_not_divisible_are_rejected():
    ae = AUTOENCODERS.build(dict(type='HaarWaveletAutoencoder', levels=2))
    with pytest.raises(ValueError, match='multiples of 4'):
        ae.encode(torch.rand(1, 1, 10, 8))
