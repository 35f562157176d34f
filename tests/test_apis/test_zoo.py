"""The model zoo manifest: entries, the default, hashes, and loading a zoo model by name."""

import json

import numpy as np
import pytest

from fusionbox.apis import FusionInferencer, fuse, zoo
from fusionbox.utils.checkpoint import load_state_dict_file
from fusionbox.utils.errors import ZooError


def test_the_shipped_manifest_is_valid_and_its_hashes_match():
    entries = zoo.list_entries()
    assert sum(e.default for e in entries) <= 1
    for entry in entries:
        zoo.verify_entry(entry)  # files exist, sha256 as listed


def test_a_zoo_model_by_name_and_by_default(tiny_zoo, tiny_checkpoint):
    entry = zoo.get_entry('tiny')
    assert entry.config.is_file() and entry.weights.suffix == '.safetensors'
    assert entry.params == sum(v.numel() for v in load_state_dict_file(entry.weights).values())
    assert zoo.default_entry().name == 'tiny'
    a = np.random.default_rng(0).random((24, 40)).astype(np.float32)
    b = a[::-1].copy()
    by_name = fuse(FusionInferencer('tiny'), [a, b], 'ivf')
    by_default = fuse(FusionInferencer(), [a, b], 'ivf')
    by_config = fuse(
        FusionInferencer(tiny_checkpoint['config'], str(tiny_checkpoint['checkpoint'])),
        [a, b],
        'ivf',
    )
    np.testing.assert_allclose(by_name, by_config, atol=1e-6)
    np.testing.assert_allclose(by_default, by_config, atol=1e-6)
    with pytest.raises(ValueError, match=r"zoo model 'tiny' fuses \['ivf', 'mef'\], not 'mif'"):
        FusionInferencer('tiny')([a, b], 'mif')


def test_zoo_errors_name_what_is_wrong(tiny_zoo, tmp_path):
    with pytest.raises(ZooError, match="unknown model 'nope'; the zoo has: tiny"):
        zoo.get_entry('nope')
    data = json.loads(tiny_zoo.read_text())
    data['models'][0]['sha256'] = '0' * 64
    tiny_zoo.write_text(json.dumps(data))
    with pytest.raises(ZooError, match=r'w\.safetensors have sha256 .* the manifest says 0000'):
        FusionInferencer('tiny')
    empty = tmp_path / 'empty.json'
    empty.write_text('{"version": 1, "models": []}')
    with pytest.raises(ZooError, match='no default model yet; pass --model NAME or --config'):
        zoo.default_entry(empty)
    empty.write_text('{"models": [{"name": "x"}]}')
    with pytest.raises(ZooError, match='entry 0 lacks config, weights, sha256'):
        zoo.list_entries(empty)
