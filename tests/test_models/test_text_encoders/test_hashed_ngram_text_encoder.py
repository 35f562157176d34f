import pytest
import torch

from fusionbox.registry import TEXT_ENCODERS


def _encoder(**kw):
    torch.manual_seed(0)
    return TEXT_ENCODERS.build(dict(type='HashedNgramTextEncoder', dim=16, num_buckets=512, **kw))


def test_deterministic_across_instances_and_calls():
    a, b = _encoder(), _encoder()
    prompts = ['Remove the rain streaks', 'denoise the infrared image', '']
    torch.testing.assert_close(a(prompts), a(prompts))
    torch.testing.assert_close(a(prompts), b(prompts))  # same seed -> same table; crc32 hashing
    assert a.bucket_ids('Remove the RAIN!') == a.bucket_ids('remove the rain')
    assert a.bucket_ids('remove the rain') == [5, 26, 61, 111, 395]  # fixed: CRC-32 hashing


def test_distinguishes_prompts_and_word_order():
    enc = _encoder()
    out = enc(['remove the haze', 'brighten the dark image', 'haze the remove'])
    assert out.shape == (3, 16)
    assert not torch.allclose(out[0], out[1])
    assert not torch.allclose(out[0], out[2])  # bigrams see the order


def test_empty_prompt_maps_to_the_learned_empty_embedding():
    enc = _encoder()
    out = enc(['', 'remove noise', '  !! '])
    torch.testing.assert_close(out[0], enc.empty.detach())
    torch.testing.assert_close(out[2], enc.empty.detach())
    assert not torch.allclose(out[1], enc.empty)
    only_empty = enc(['', ''])
    assert only_empty.shape == (2, 16)


def test_gradients_reach_the_table_and_the_empty_embedding():
    enc = _encoder()
    enc(['remove noise', '']).sum().backward()
    assert enc.table.weight.grad.abs().sum() > 0 and enc.empty.grad.abs().sum() > 0


def test_a_single_string_is_rejected():
    with pytest.raises(TypeError, match='list of prompts'):
        _encoder()('remove noise')
