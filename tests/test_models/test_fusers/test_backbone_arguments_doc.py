"""The backbone guides list every argument the fuser adds to a backbone's constructor."""

import re
from pathlib import Path
from types import SimpleNamespace

from fusionbox.models.fusers.all_in_one_fuser import _complete_backbone

GUIDES = Path(__file__).resolve().parents[3] / 'docs' / 'advanced_guides'


def _documented() -> set:
    """The first column of the table under 'What the fuser passes to the constructor'."""
    text = (GUIDES / 'add_a_backbone.md').read_text()
    section = text.split('## What the fuser passes to the constructor', 1)[1].split('\n## ', 1)[0]
    return set(re.findall(r'^\| `(\w+)` \|', section, flags=re.M))


def test_the_table_names_exactly_what_the_fuser_adds():
    autoencoder, text_encoder = SimpleNamespace(latent_channels=4), SimpleNamespace(dim=32)
    added = _complete_backbone(dict(type='AnyBackbone'), autoencoder, text_encoder)
    assert added == dict(type='AnyBackbone', in_channels=4, prompt_dim=32)
    assert _documented() == set(added) - {'type'}
    plugin_guide = (GUIDES / 'write_a_plugin.md').read_text()
    assert all(f'`{name}`' in plugin_guide for name in _documented())
    assert 'add_a_backbone.md#what-the-fuser-passes-to-the-constructor' in plugin_guide
